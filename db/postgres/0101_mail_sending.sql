-- Sending state for the worker: a lease per mailing, retry times per recipient, opt-outs and the link key.
ALTER TABLE mailing ADD COLUMN lease_owner text NULL;
ALTER TABLE mailing ADD COLUMN lease_until timestamptz NULL;
ALTER TABLE mailing ADD COLUMN test_of bigint NULL REFERENCES mailing (id);
ALTER TABLE mailing ADD COLUMN finished_at timestamptz NULL;
ALTER TABLE mailing_recipient ADD COLUMN retry_at timestamptz NULL;

CREATE INDEX ix_mailing_test_of ON mailing (test_of);

CREATE TABLE mail_opt_out (
    member_id   bigint PRIMARY KEY REFERENCES member (id),
    mailing_id  bigint NULL,
    created_at  timestamptz NOT NULL
);

CREATE TABLE mail_secret (
    id      integer PRIMARY KEY CHECK (id = 1),
    secret  text NOT NULL
);
-- gen_random_uuid() is cryptographically random (PostgreSQL 13+): two of them give 244 random bits.
INSERT INTO mail_secret (id, secret)
VALUES (1, replace(gen_random_uuid()::text, '-', '') || replace(gen_random_uuid()::text, '-', ''));
