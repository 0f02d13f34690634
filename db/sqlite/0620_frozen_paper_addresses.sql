-- Issue 16, the paper-only gap: a voting paper went to the home address the register held when it was printed, and
-- changes of address or email kind were not recorded. See docs/decisions/0620-paper-addresses-frozen-at-opening.md.

-- Each voting paper's addressee as the register had it when the ballot opened: every elector of a postal or hybrid
-- ballot, the paper-only electors of an electronic one. Print runs read this, never the member row.
CREATE TABLE ballot_paper_address (
    ballot_id      INTEGER NOT NULL REFERENCES ballot (id),
    member_id      INTEGER NOT NULL,
    first_name     TEXT NULL,
    last_name      TEXT NULL,
    address_line1  TEXT NULL,
    address_line2  TEXT NULL,
    address_line3  TEXT NULL,
    town           TEXT NULL,
    postcode       TEXT NULL,
    PRIMARY KEY (ballot_id, member_id)
);
-- Ballots already opened keep what the register holds today (as migration 0220 did for emails).
INSERT INTO ballot_paper_address (ballot_id, member_id, first_name, last_name, address_line1, address_line2, address_line3, town, postcode)
SELECT e.ballot_id, e.member_id, m.first_name, m.last_name, m.address_line1, m.address_line2, m.address_line3, m.town, m.postcode
FROM ballot_elector e JOIN ballot b ON b.id = e.ballot_id JOIN member m ON m.id = e.member_id
WHERE b.status <> 'draft'
  AND (b.voting_method <> 'electronic'
       OR EXISTS (SELECT 1 FROM ballot_paper_only p WHERE p.ballot_id = e.ballot_id AND p.member_id = e.member_id));

-- member_change also records home addresses and email kinds. SQLite cannot widen a CHECK in place: the table is
-- rebuilt with its rows, index and append-only triggers.
DROP TRIGGER member_change_no_delete;
DROP TRIGGER member_change_only_redact;
CREATE TABLE member_change_new (
    id          INTEGER PRIMARY KEY,
    member_id   INTEGER NOT NULL REFERENCES member (id),
    at          TEXT NOT NULL,
    field       TEXT NOT NULL CHECK (field IN ('email', 'status', 'erased', 'address', 'email_kind')),
    old_value   TEXT NULL,
    new_value   TEXT NULL,
    via         TEXT NOT NULL CHECK (via IN ('api', 'import')),
    staff_kind  TEXT NOT NULL,
    staff_id    TEXT NOT NULL,
    staff_name  TEXT NOT NULL,
    staff_role  TEXT NOT NULL
);
INSERT INTO member_change_new (id, member_id, at, field, old_value, new_value, via, staff_kind, staff_id, staff_name, staff_role)
SELECT id, member_id, at, field, old_value, new_value, via, staff_kind, staff_id, staff_name, staff_role FROM member_change;
DROP TABLE member_change;
ALTER TABLE member_change_new RENAME TO member_change;
CREATE INDEX ix_member_change_member ON member_change (member_id, id);

-- Append-only, except that erasure blanks the addresses a member's history holds.
CREATE TRIGGER member_change_no_delete BEFORE DELETE ON member_change
BEGIN SELECT RAISE(ABORT, 'member_change is append-only'); END;
CREATE TRIGGER member_change_only_redact BEFORE UPDATE ON member_change
WHEN NEW.id IS NOT OLD.id OR NEW.member_id IS NOT OLD.member_id OR NEW.at IS NOT OLD.at OR NEW.field IS NOT OLD.field
  OR NEW.via IS NOT OLD.via OR NEW.staff_kind IS NOT OLD.staff_kind OR NEW.staff_id IS NOT OLD.staff_id
  OR NEW.staff_name IS NOT OLD.staff_name OR NEW.staff_role IS NOT OLD.staff_role
  OR NEW.old_value IS NOT NULL AND NEW.old_value IS NOT OLD.old_value
  OR NEW.new_value IS NOT NULL AND NEW.new_value IS NOT OLD.new_value
BEGIN SELECT RAISE(ABORT, 'member_change is append-only (erasure may only blank its values)'); END;
