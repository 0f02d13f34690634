-- Issue 17, ADR 0902: each trustee is bound to the staff token its trustee command presents; no other token may post
-- that trustee's messages, and no token holds two shares of one ballot.
ALTER TABLE ballot_trustee ADD COLUMN staff_token_id INTEGER NULL REFERENCES staff_token (id);
CREATE UNIQUE INDEX ux_ballot_trustee_token ON ballot_trustee (ballot_id, staff_token_id);
