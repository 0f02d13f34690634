-- Letters to staff (invitations, new set-up links), sent by the worker. The row holds no link: the worker mints a
-- fresh one-time link as it sends (ADR 0501), so no usable secret rests in the database.
CREATE TABLE staff_letter (
    id          INTEGER PRIMARY KEY,
    account_id  INTEGER NOT NULL REFERENCES staff_account (id),
    kind        TEXT NOT NULL CHECK (kind IN ('invitation', 'set-up')),
    sent_by     TEXT NOT NULL,
    state       TEXT NOT NULL CHECK (state IN ('pending', 'sent', 'failed', 'cancelled')),
    attempts    INTEGER NOT NULL DEFAULT 0,
    last_error  TEXT NULL,
    next_at     TEXT NOT NULL,
    created_at  TEXT NOT NULL,
    sent_at     TEXT NULL
);
CREATE INDEX ix_staff_letter_due ON staff_letter (state, next_at);
