-- Issue 17, the sealed ballot box: each ballot's key ceremony (ADR 0901, 0902). Trustees are named on the draft; the
-- server only relays their public messages (JSON, Ballot.Core.Sealing.CeremonyMessages) and keeps the joint key.

-- t of n, and once every trustee has confirmed, the joint key (base64 of SEC1-compressed P-256 elements, as in
-- SealingJson), each trustee's verification key (a JSON array, trustee 1 first) and the key's fingerprint.
CREATE TABLE ballot_ceremony (
    ballot_id          BIGINT PRIMARY KEY REFERENCES ballot (id),
    threshold          INTEGER NOT NULL,
    trustees           INTEGER NOT NULL,
    public_key         TEXT NULL,
    verification_keys  TEXT NULL,
    fingerprint        TEXT NULL,
    completed_at       TIMESTAMPTZ NULL,
    CHECK (threshold >= 1 AND threshold <= trustees AND trustees <= 32)
);

-- One row per trustee, numbered 1..n: who holds the share, and the three rounds' messages as they were relayed.
CREATE TABLE ballot_trustee (
    ballot_id     BIGINT NOT NULL REFERENCES ballot (id),
    idx           INTEGER NOT NULL,
    role          TEXT NOT NULL CHECK (role IN ('scrutineer', 'executive', 'reserve')),
    name          TEXT NOT NULL,
    email         TEXT NULL,
    announcement  TEXT NULL,
    dealing       TEXT NULL,
    confirmation  TEXT NULL,
    PRIMARY KEY (ballot_id, idx)
);
