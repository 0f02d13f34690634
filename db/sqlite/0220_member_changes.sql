-- Review finding 1 (issue 11): staff could redirect a member's voting link by changing their email during a ballot.
-- See docs/decisions/0220-frozen-addresses-and-member-history.md.

-- The address each elector's ballot letters go to, frozen when the ballot opens. Ballots open or closed now freeze
-- what the register holds today (their voting letters already went out with it).
ALTER TABLE ballot_elector ADD COLUMN email TEXT NULL;
UPDATE ballot_elector SET email = (SELECT m.email FROM member m WHERE m.id = ballot_elector.member_id)
WHERE ballot_id IN (SELECT id FROM ballot WHERE status IN ('open', 'closed'));

-- Every change to a member's email or status, and every erasure: who, when, old and new value. Staff are named by
-- kind ('token' today, 'account' for staff accounts), id, name and role as they were when they made the change.
CREATE TABLE member_change (
    id          INTEGER PRIMARY KEY,
    member_id   INTEGER NOT NULL REFERENCES member (id),
    at          TEXT NOT NULL,
    field       TEXT NOT NULL CHECK (field IN ('email', 'status', 'erased')),
    old_value   TEXT NULL,
    new_value   TEXT NULL,
    via         TEXT NOT NULL CHECK (via IN ('api', 'import')),
    staff_kind  TEXT NOT NULL,
    staff_id    TEXT NOT NULL,
    staff_name  TEXT NOT NULL,
    staff_role  TEXT NOT NULL
);
CREATE INDEX ix_member_change_member ON member_change (member_id, id);

-- Append-only, except that erasure blanks the email addresses a member's history holds.
CREATE TRIGGER member_change_no_delete BEFORE DELETE ON member_change
BEGIN SELECT RAISE(ABORT, 'member_change is append-only'); END;
CREATE TRIGGER member_change_only_redact BEFORE UPDATE ON member_change
WHEN NEW.id IS NOT OLD.id OR NEW.member_id IS NOT OLD.member_id OR NEW.at IS NOT OLD.at OR NEW.field IS NOT OLD.field
  OR NEW.via IS NOT OLD.via OR NEW.staff_kind IS NOT OLD.staff_kind OR NEW.staff_id IS NOT OLD.staff_id
  OR NEW.staff_name IS NOT OLD.staff_name OR NEW.staff_role IS NOT OLD.staff_role
  OR NEW.old_value IS NOT NULL AND NEW.old_value IS NOT OLD.old_value
  OR NEW.new_value IS NOT NULL AND NEW.new_value IS NOT OLD.new_value
BEGIN SELECT RAISE(ABORT, 'member_change is append-only (erasure may only blank its values)'); END;
