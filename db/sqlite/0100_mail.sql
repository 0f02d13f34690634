-- Mailings and their recipients: the database is the source of truth for every letter.
CREATE TABLE mailing (
    id             INTEGER PRIMARY KEY,
    kind           TEXT NOT NULL CHECK (kind IN ('campaign', 'statutory')),
    source         TEXT NULL,      -- who supplies extra merge fields, e.g. 'ballot'
    source_id      INTEGER NULL,   -- e.g. the ballot's id
    purpose        TEXT NULL,      -- e.g. 'voting-letter', 'reminder', 'result-notice'
    subject        TEXT NOT NULL,
    body_markdown  TEXT NOT NULL,
    reply_to       TEXT NULL,
    audience       TEXT NOT NULL DEFAULT '{}',
    status         TEXT NOT NULL CHECK (status IN ('draft', 'approved', 'scheduled', 'sending', 'sent', 'cancelled')),
    send_at        TEXT NULL,
    created_by     TEXT NULL,
    approved_by    TEXT NULL,
    created_at     TEXT NOT NULL,
    updated_at     TEXT NOT NULL
);
CREATE INDEX ix_mailing_due ON mailing (status, send_at);

CREATE TABLE mailing_recipient (
    id           INTEGER PRIMARY KEY,
    mailing_id   INTEGER NOT NULL REFERENCES mailing (id),
    member_id    INTEGER NOT NULL REFERENCES member (id),
    email        TEXT NOT NULL,
    state        TEXT NOT NULL CHECK (state IN ('pending', 'sending', 'sent', 'failed', 'cancelled')),
    attempts     INTEGER NOT NULL DEFAULT 0,
    last_error   TEXT NULL,
    claimed_at   TEXT NULL,
    claimed_by   TEXT NULL,
    sent_at      TEXT NULL,
    UNIQUE (mailing_id, member_id)
);
CREATE INDEX ix_mailing_recipient_state ON mailing_recipient (mailing_id, state);
