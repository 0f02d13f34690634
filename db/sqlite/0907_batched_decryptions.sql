-- ADR 0908: a trustee's decryption is its share of every sum (64-byte affine points x || y, the identity 64 zero bytes,
-- concatenated in board order: constituency, question, option) and ONE Chaum-Pedersen proof over a random linear
-- combination of them (JSON {challenge, response}), instead of one proof per sum. Rows of the old form (a JSON array of
-- per-sum proofs) cannot be read as the new one, and no sealed ballot is deployed (issue 17), so they are not carried over.
DROP TABLE ballot_decryption;
CREATE TABLE ballot_decryption (
    ballot_id     INTEGER NOT NULL REFERENCES ballot (id),
    trustee       INTEGER NOT NULL,
    shares        BLOB NOT NULL,
    proof         TEXT NOT NULL,
    submitted_by  TEXT NOT NULL,
    submitted_at  TEXT NOT NULL,
    PRIMARY KEY (ballot_id, trustee)
);
