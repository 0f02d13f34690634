-- Staff accounts for people (ADR 0500). Bearer tokens (staff_token) stay for programs.
CREATE TABLE staff_account (
    id                     INTEGER PRIMARY KEY,
    email                  TEXT NOT NULL,
    normalized_email       TEXT NOT NULL UNIQUE,
    name                   TEXT NOT NULL,
    role                   TEXT NOT NULL CHECK (role IN ('executive', 'organiser', 'scrutineer')),
    status                 TEXT NOT NULL CHECK (status IN ('invited', 'active', 'disabled')),
    password_hash          TEXT NULL,
    security_stamp         TEXT NOT NULL,
    concurrency_stamp      TEXT NOT NULL,
    authenticator_key      TEXT NULL,
    two_factor_enabled_at  TEXT NULL,
    access_failed_count    INTEGER NOT NULL DEFAULT 0,
    lockout_end            TEXT NULL,
    created_at             TEXT NOT NULL
);

-- One-time links: only the SHA-256 of the link's 256-bit secret is kept.
CREATE TABLE staff_setup_link (
    id          INTEGER PRIMARY KEY,
    account_id  INTEGER NOT NULL REFERENCES staff_account (id),
    token_hash  TEXT NOT NULL UNIQUE,
    created_at  TEXT NOT NULL,
    expires_at  TEXT NOT NULL,
    used_at     TEXT NULL
);
CREATE INDEX ix_staff_setup_link_account ON staff_setup_link (account_id);

-- Every change to an account: who made it (an account, or the command line) and when.
CREATE TABLE staff_account_event (
    id          INTEGER PRIMARY KEY,
    account_id  INTEGER NOT NULL REFERENCES staff_account (id),
    actor_id    INTEGER NULL REFERENCES staff_account (id),
    actor       TEXT NOT NULL,
    action      TEXT NOT NULL,
    detail      TEXT NULL,
    at          TEXT NOT NULL
);
CREATE INDEX ix_staff_account_event_account ON staff_account_event (account_id, id);
