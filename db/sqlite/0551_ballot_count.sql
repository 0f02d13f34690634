-- The counted result in a table of its own (ADR 0550). A 25,000-constituency count is 15 MB of JSON: in the ballot row,
-- SQLite walked its overflow pages to reach every column stored after it (result_hash, audit_seq, the dates), so
-- every page that loaded a counted ballot read 15 MB, and every audit entry rewrote them.
CREATE TABLE ballot_count (
    ballot_id  INTEGER PRIMARY KEY REFERENCES ballot (id),
    result     TEXT NOT NULL        -- JSON, written once when counted; its hash is ballot.result_hash
);
INSERT INTO ballot_count (ballot_id, result) SELECT id, result FROM ballot WHERE result IS NOT NULL;
ALTER TABLE ballot DROP COLUMN result;
