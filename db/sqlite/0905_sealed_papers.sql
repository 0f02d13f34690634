-- Issue 17, the sealed ballot box: a cast paper is stored only sealed (ADR 0903). One row per paper: its tracker (the
-- member's receipt: SHA-256 over its ciphertexts, Ballot.Core.Sealing.SealedPaper.Tracker, lower-case hex), its
-- constituency (the count is per constituency) and its sealed answers (SealedPaper.Encode: one exponential ElGamal
-- ciphertext per option, "spoiled" last, with proofs). No plaintext answer and no receipt beside the tracker. The key
-- is the tracker, a hash of random ciphertexts, so storage order still does not follow voting order (WITHOUT ROWID).
-- Unsealed ballots are not migrated (issue 17: none is deployed); their papers go with the old table.
DROP VIEW IF EXISTS ballot_paper_cast;
DROP TABLE ballot_paper;
CREATE TABLE ballot_paper (
    ballot_id     INTEGER NOT NULL REFERENCES ballot (id),
    tracker       TEXT NOT NULL,
    constituency  TEXT NOT NULL,
    sealed        BLOB NOT NULL,
    PRIMARY KEY (ballot_id, tracker)
) WITHOUT ROWID;

-- At close (ADR 0904): the papers of each constituency added up per question, one ciphertext per option (66 bytes each,
-- concatenated in option order). After the trustees' decryptions are combined, totals holds the decrypted counts
-- (a JSON array, option order). Ordered on the board by constituency (ordinal), then question.
CREATE TABLE ballot_sum (
    ballot_id     INTEGER NOT NULL REFERENCES ballot (id),
    constituency  TEXT NOT NULL,
    question      INTEGER NOT NULL,
    ciphertexts   BLOB NOT NULL,
    totals        TEXT NULL,
    PRIMARY KEY (ballot_id, constituency, question)
) WITHOUT ROWID;

-- Each trustee's partial decryptions of the sums (a JSON array of PartialDecryption, position k = the k-th option
-- ciphertext of the sums in board order), kept once every proof has checked; who sent them and when.
CREATE TABLE ballot_decryption (
    ballot_id     INTEGER NOT NULL REFERENCES ballot (id),
    trustee       INTEGER NOT NULL,
    partials      TEXT NOT NULL,
    submitted_by  TEXT NOT NULL,
    submitted_at  TEXT NOT NULL,
    PRIMARY KEY (ballot_id, trustee)
);
