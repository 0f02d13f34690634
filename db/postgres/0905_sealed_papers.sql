-- Issue 17, the sealed ballot box: a cast paper is stored only sealed (ADR 0903). One row per paper: its tracker (the
-- member's receipt: SHA-256 over its ciphertexts, Ballot.Core.Sealing.SealedPaper.Tracker, lower-case hex), its
-- constituency and its sealed answers (SealedPaper.Encode). No plaintext answer and no receipt beside the tracker.
-- The vote's own transaction writes the paper: its xmin and heap position link a sealed paper to its voter's claim,
-- which tells nothing without t trustees' shares, so the staging table and the mixing of ADR 0210 go (issue 17, item 6).
-- Unsealed ballots are not migrated (issue 17: none is deployed); their papers go with the old tables.
DROP VIEW IF EXISTS ballot_paper_cast;
DROP TABLE IF EXISTS ballot_paper_staged;
DROP TABLE ballot_paper;
CREATE TABLE ballot_paper (
    ballot_id     BIGINT NOT NULL REFERENCES ballot (id),
    tracker       TEXT COLLATE "C" NOT NULL,
    constituency  TEXT NOT NULL,
    sealed        BYTEA NOT NULL,
    PRIMARY KEY (ballot_id, tracker)
);

-- At close (ADR 0904): the papers of each constituency added up per question, one ciphertext per option (66 bytes each,
-- concatenated in option order); totals holds the decrypted counts (a JSON array) once the trustees' decryptions are combined.
CREATE TABLE ballot_sum (
    ballot_id     BIGINT NOT NULL REFERENCES ballot (id),
    constituency  TEXT COLLATE "C" NOT NULL,
    question      INTEGER NOT NULL,
    ciphertexts   BYTEA NOT NULL,
    totals        TEXT NULL,
    PRIMARY KEY (ballot_id, constituency, question)
);

-- Each trustee's partial decryptions of the sums (a JSON array of PartialDecryption), kept once every proof has checked.
CREATE TABLE ballot_decryption (
    ballot_id     BIGINT NOT NULL REFERENCES ballot (id),
    trustee       INTEGER NOT NULL,
    partials      TEXT NOT NULL,
    submitted_by  TEXT NOT NULL,
    submitted_at  TIMESTAMPTZ NOT NULL,
    PRIMARY KEY (ballot_id, trustee)
);
