-- Sending state for the worker: a lease per mailing, retry times per recipient, opt-outs and the link key.
ALTER TABLE mailing ADD COLUMN lease_owner TEXT NULL;      -- the sender run that holds the mailing
ALTER TABLE mailing ADD COLUMN lease_until TEXT NULL;      -- it renews this while alive
ALTER TABLE mailing ADD COLUMN test_of INTEGER NULL REFERENCES mailing (id);  -- a test copy of that mailing
ALTER TABLE mailing ADD COLUMN finished_at TEXT NULL;
ALTER TABLE mailing_recipient ADD COLUMN retry_at TEXT NULL;  -- after a 4xx reply: not before this time

CREATE INDEX ix_mailing_test_of ON mailing (test_of);

-- Members who unsubscribed from campaign mail (statutory ballot mail ignores this).
CREATE TABLE mail_opt_out (
    member_id   INTEGER PRIMARY KEY REFERENCES member (id),
    mailing_id  INTEGER NULL,
    created_at  TEXT NOT NULL
);

-- One random key per installation: signs unsubscribe links and makes Message-IDs unique to it.
CREATE TABLE mail_secret (
    id      INTEGER PRIMARY KEY CHECK (id = 1),
    secret  TEXT NOT NULL
);
INSERT INTO mail_secret (id, secret) VALUES (1, lower(hex(randomblob(32))));
