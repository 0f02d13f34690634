-- Issue 17, ADR 0907: the sealed papers added up on the vote path, so that closing reads one row per constituency and
-- writer instead of decoding every paper. A writer is one vote store (a random id each time one is opened) or one
-- batch of returned papers; each keeps its own rows, written in the same transaction as the papers they add up.
-- papers: how many papers the row adds up; ciphertexts: the running sum of each option ciphertext of the
-- constituency, in board order (question, then option), A then B, each point in the affine form x ‖ y (64 bytes, the
-- identity 64 zero bytes), so reading it back needs no square root. Closing merges the writers of each constituency,
-- falls back to the papers where the counts differ, and deletes the ballot's rows once ballot_sum is saved.
-- A rowid table: a row is about 1 KB (a two-question ballot), too large for WITHOUT ROWID's pages.
CREATE TABLE ballot_running_sum (
    ballot_id     INTEGER NOT NULL REFERENCES ballot (id),
    writer        TEXT NOT NULL,
    constituency  TEXT NOT NULL,
    papers        INTEGER NOT NULL,
    ciphertexts   BLOB NOT NULL,
    PRIMARY KEY (ballot_id, writer, constituency)
);
