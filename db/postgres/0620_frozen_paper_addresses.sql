-- Issue 16, the paper-only gap: a voting paper went to the home address the register held when it was printed, and
-- changes of address or email kind were not recorded. See docs/decisions/0620-paper-addresses-frozen-at-opening.md.

-- Each voting paper's addressee as the register had it when the ballot opened: every elector of a postal or hybrid
-- ballot, the paper-only electors of an electronic one. Print runs read this, never the member row. Written in bulk
-- at opening, so no foreign key (ADR 0810: ballots are never deleted).
CREATE TABLE ballot_paper_address (
    ballot_id      BIGINT NOT NULL,
    member_id      BIGINT NOT NULL,
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

-- member_change also records home addresses and email kinds.
ALTER TABLE member_change DROP CONSTRAINT member_change_field_check;
ALTER TABLE member_change ADD CONSTRAINT member_change_field_check CHECK (field IN ('email', 'status', 'erased', 'address', 'email_kind'));
