-- Issue 16, items 4-6: voting papers for print and returned papers. See docs/decisions/0610-voting-papers-and-returned-papers.md.

-- Electors of an electronic or hybrid ballot whose letter carries no voting link (no email, or only a work email, which
-- the draft Code of Practice asks us not to use): they vote by the paper posted to their home. Written when the ballot opens.
CREATE TABLE ballot_paper_only (
    ballot_id  INTEGER NOT NULL REFERENCES ballot (id),
    member_id  INTEGER NOT NULL,
    reason     TEXT NOT NULL CHECK (reason IN ('no-email', 'work-email')),
    PRIMARY KEY (ballot_id, member_id)
);

-- One voting paper per elector who is sent one, numbered in print order (postcode). Participation only, like
-- ballot_elector: whether a paper came back and what became of it, never what was marked on it (a spoiled paper is
-- 'counted'; its answers are in ballot_paper with every other vote).
CREATE TABLE ballot_voting_paper (
    ballot_id        INTEGER NOT NULL REFERENCES ballot (id),
    serial           INTEGER NOT NULL,
    member_id        INTEGER NOT NULL,
    short_code_hash  TEXT NULL,     -- SHA-256 of the short code printed beside the QR code (none on a postal-only ballot)
    returned         TEXT NULL CHECK (returned IN ('counted', 'duplicate', 'late')),
    return_batch     INTEGER NULL,
    PRIMARY KEY (ballot_id, serial),
    UNIQUE (ballot_id, member_id)
);
CREATE UNIQUE INDEX ux_ballot_voting_paper_short_code ON ballot_voting_paper (short_code_hash);

-- The worker's print runs: A4 PDFs of 1,000 papers each and a CSV manifest, in one zip beside the database.
CREATE TABLE ballot_print_job (
    id            INTEGER PRIMARY KEY,
    ballot_id     INTEGER NOT NULL REFERENCES ballot (id),
    status        TEXT NOT NULL CHECK (status IN ('pending', 'running', 'done', 'failed')),
    papers        INTEGER NOT NULL DEFAULT 0,
    done          INTEGER NOT NULL DEFAULT 0,
    batches       INTEGER NOT NULL DEFAULT 0,
    no_email      INTEGER NOT NULL DEFAULT 0,
    work_email    INTEGER NOT NULL DEFAULT 0,
    attempts      INTEGER NOT NULL DEFAULT 0,
    file_name     TEXT NULL,
    size_bytes    INTEGER NULL,
    error         TEXT NULL,
    requested_by  TEXT NULL,
    created_at    TEXT NOT NULL,
    started_at    TEXT NULL,
    heartbeat_at  TEXT NULL,
    finished_at   TEXT NULL
);
CREATE INDEX ix_ballot_print_job_status ON ballot_print_job (status, id);

-- Each batch of returned papers entered by the scrutineer or staff acting for them: counts only.
CREATE TABLE ballot_return_batch (
    id          INTEGER PRIMARY KEY,
    ballot_id   INTEGER NOT NULL REFERENCES ballot (id),
    entered_by  TEXT NOT NULL,
    entered_at  TEXT NOT NULL,
    papers      INTEGER NOT NULL,
    counted     INTEGER NOT NULL,
    duplicates  INTEGER NOT NULL,
    late        INTEGER NOT NULL,
    refused     INTEGER NOT NULL
);
CREATE INDEX ix_ballot_return_batch_ballot ON ballot_return_batch (ballot_id, id);
