-- Statutory rule sets for industrial-action ballots, as data: a change in the law is a new row, not new code.
-- Chosen by the date the ballot opens (applies_from <= opening date < applies_until).
CREATE TABLE statutory_rule_set (
    code                        TEXT PRIMARY KEY,
    name                        TEXT NOT NULL,
    applies_from                TEXT NOT NULL,      -- yyyy-MM-dd, inclusive
    applies_until               TEXT NULL,          -- yyyy-MM-dd, exclusive
    turnout_percent             INTEGER NULL,       -- s.226(2)(a)(iia): voted >= this % of entitled
    public_service_yes_percent  INTEGER NULL,       -- s.226(2A)-(2C): Yes >= this % of entitled; NULL when repealed
    mandate_months              INTEGER NOT NULL,   -- s.234
    mandate_extension_months    INTEGER NOT NULL,   -- s.234 with the employer's agreement
    employer_notice_days        INTEGER NOT NULL,   -- s.226A
    sample_paper_days           INTEGER NULL,       -- s.226A sample voting paper
    action_notice_days          INTEGER NOT NULL,   -- s.234A
    scrutineer_above            INTEGER NOT NULL,   -- s.226B: scrutineer required when more than this many are entitled
    requires_dispute_summary    INTEGER NOT NULL,   -- s.229(2D): summary of matters, types of action, periods
    statutory_statement         TEXT NOT NULL       -- s.229(4)
);
INSERT INTO statutory_rule_set VALUES
 ('tua-2016', 'Trade Union Act 2016 rules', '2017-03-01', '2026-02-18', 50, 40, 6, 3, 7, 3, 14, 50, 1,
  'If you take part in a strike or other industrial action, you may be in breach of your contract of employment. However, if you are dismissed for taking part in strike or other industrial action which is called officially and is otherwise lawful, the dismissal will be unfair if it takes place fewer than twelve weeks after you started taking part in the action, and depending on the circumstances may be unfair if it takes place later.'),
 ('era-2025', 'Employment Rights Act 2025 rules', '2026-02-18', NULL, 50, NULL, 12, 0, 7, NULL, 10, 50, 0,
  'If you take part in a strike or other industrial action, you may be in breach of your contract of employment. However, if you are dismissed for taking part in strike or other industrial action which is called officially and is otherwise lawful, the dismissal will be unfair.');

CREATE TABLE ballot (
    id                INTEGER PRIMARY KEY,
    title             TEXT NOT NULL,
    kind              TEXT NOT NULL CHECK (kind IN ('industrial-action', 'consultative')),
    status            TEXT NOT NULL CHECK (status IN ('draft', 'open', 'closed', 'certified')),
    counting          TEXT NOT NULL CHECK (counting IN ('aggregated', 'per-workplace')),
    opens_at          TEXT NOT NULL,
    closes_at         TEXT NOT NULL,
    rule_set          TEXT NULL REFERENCES statutory_rule_set (code),
    definition        TEXT NOT NULL,      -- JSON: questions, electorate filters, voting paper content, reminders
    electorate_size   INTEGER NULL,
    electorate_hash   TEXT NULL,
    result            TEXT NULL,          -- JSON, written once when counted
    result_hash       TEXT NULL,
    audit_seq         INTEGER NOT NULL DEFAULT 0,
    created_by        TEXT NULL,
    created_at        TEXT NOT NULL,
    updated_at        TEXT NOT NULL,
    opened_at         TEXT NULL,
    closed_at         TEXT NULL,
    certified_at      TEXT NULL,
    certified_by      TEXT NULL
);
CREATE INDEX ix_ballot_status ON ballot (status, opens_at);

-- Participation: who may vote and whether they have. Nothing here says what anyone chose.
CREATE TABLE ballot_elector (
    ballot_id        INTEGER NOT NULL REFERENCES ballot (id),
    member_id        INTEGER NOT NULL REFERENCES member (id),
    constituency     TEXT NOT NULL,
    credential_hash  TEXT NOT NULL UNIQUE,   -- SHA-256 of the credential; the credential itself is never stored
    voted            INTEGER NOT NULL DEFAULT 0,
    voted_hour       TEXT NULL,              -- only as fine as turnout over time needs
    PRIMARY KEY (ballot_id, member_id)
) WITHOUT ROWID;

-- Ballot papers: what was chosen. No member, no credential, no time; the key is random (WITHOUT ROWID, so no
-- hidden sequential rowid records the voting order).
CREATE TABLE ballot_paper (
    ballot_id     INTEGER NOT NULL REFERENCES ballot (id),
    receipt       TEXT NOT NULL,
    constituency  TEXT NOT NULL,
    answers       TEXT NOT NULL,             -- canonical JSON {"questionId":"option"|"spoiled"}
    PRIMARY KEY (ballot_id, receipt)
) WITHOUT ROWID;
CREATE INDEX ix_ballot_paper_count ON ballot_paper (ballot_id, constituency, answers);

CREATE TABLE ballot_reminder (
    ballot_id   INTEGER NOT NULL REFERENCES ballot (id),
    due_at      TEXT NOT NULL,
    sent_at     TEXT NULL,
    mailing_id  INTEGER NULL,
    PRIMARY KEY (ballot_id, due_at)
);

-- Append-only audit chain: each entry carries the hash of the one before.
CREATE TABLE ballot_audit (
    ballot_id  INTEGER NOT NULL REFERENCES ballot (id),
    seq        INTEGER NOT NULL,
    at         TEXT NOT NULL,
    event      TEXT NOT NULL,
    actor      TEXT NOT NULL,
    data       TEXT NOT NULL,
    prev_hash  TEXT NOT NULL,
    hash       TEXT NOT NULL,
    PRIMARY KEY (ballot_id, seq)
);
CREATE TRIGGER ballot_audit_no_update BEFORE UPDATE ON ballot_audit
BEGIN SELECT RAISE(ABORT, 'ballot_audit is append-only'); END;
CREATE TRIGGER ballot_audit_no_delete BEFORE DELETE ON ballot_audit
BEGIN SELECT RAISE(ABORT, 'ballot_audit is append-only'); END;
