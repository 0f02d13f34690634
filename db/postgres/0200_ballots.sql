-- Statutory rule sets for industrial-action ballots, as data: a change in the law is a new row, not new code.
CREATE TABLE statutory_rule_set (
    code                        TEXT PRIMARY KEY,
    name                        TEXT NOT NULL,
    applies_from                TEXT NOT NULL,
    applies_until               TEXT NULL,
    turnout_percent             INTEGER NULL,
    public_service_yes_percent  INTEGER NULL,
    mandate_months              INTEGER NOT NULL,
    mandate_extension_months    INTEGER NOT NULL,
    employer_notice_days        INTEGER NOT NULL,
    sample_paper_days           INTEGER NULL,
    action_notice_days          INTEGER NOT NULL,
    scrutineer_above            INTEGER NOT NULL,
    requires_dispute_summary    INTEGER NOT NULL,
    statutory_statement         TEXT NOT NULL
);
INSERT INTO statutory_rule_set VALUES
 ('tua-2016', 'Trade Union Act 2016 rules', '2017-03-01', '2026-02-18', 50, 40, 6, 3, 7, 3, 14, 50, 1,
  'If you take part in a strike or other industrial action, you may be in breach of your contract of employment. However, if you are dismissed for taking part in strike or other industrial action which is called officially and is otherwise lawful, the dismissal will be unfair if it takes place fewer than twelve weeks after you started taking part in the action, and depending on the circumstances may be unfair if it takes place later.'),
 ('era-2025', 'Employment Rights Act 2025 rules', '2026-02-18', NULL, 50, NULL, 12, 0, 7, NULL, 10, 50, 0,
  'If you take part in a strike or other industrial action, you may be in breach of your contract of employment. However, if you are dismissed for taking part in strike or other industrial action which is called officially and is otherwise lawful, the dismissal will be unfair.');

CREATE TABLE ballot (
    id                BIGSERIAL PRIMARY KEY,
    title             TEXT NOT NULL,
    kind              TEXT NOT NULL CHECK (kind IN ('industrial-action', 'consultative')),
    status            TEXT NOT NULL CHECK (status IN ('draft', 'open', 'closed', 'certified')),
    counting          TEXT NOT NULL CHECK (counting IN ('aggregated', 'per-workplace')),
    opens_at          TIMESTAMPTZ NOT NULL,
    closes_at         TIMESTAMPTZ NOT NULL,
    rule_set          TEXT NULL REFERENCES statutory_rule_set (code),
    definition        TEXT NOT NULL,
    electorate_size   INTEGER NULL,
    electorate_hash   TEXT NULL,
    result            TEXT NULL,
    result_hash       TEXT NULL,
    audit_seq         INTEGER NOT NULL DEFAULT 0,
    created_by        TEXT NULL,
    created_at        TIMESTAMPTZ NOT NULL,
    updated_at        TIMESTAMPTZ NOT NULL,
    opened_at         TIMESTAMPTZ NULL,
    closed_at         TIMESTAMPTZ NULL,
    certified_at      TIMESTAMPTZ NULL,
    certified_by      TEXT NULL
);
CREATE INDEX ix_ballot_status ON ballot (status, opens_at);

CREATE TABLE ballot_elector (
    ballot_id        BIGINT NOT NULL REFERENCES ballot (id),
    member_id        BIGINT NOT NULL REFERENCES member (id),
    constituency     TEXT NOT NULL,
    credential_hash  TEXT NOT NULL UNIQUE,
    voted            INTEGER NOT NULL DEFAULT 0,
    voted_hour       TIMESTAMPTZ NULL,
    PRIMARY KEY (ballot_id, member_id)
);

CREATE TABLE ballot_paper (
    ballot_id     BIGINT NOT NULL REFERENCES ballot (id),
    receipt       TEXT COLLATE "C" NOT NULL,
    constituency  TEXT NOT NULL,
    answers       TEXT NOT NULL,
    PRIMARY KEY (ballot_id, receipt)
);
CREATE INDEX ix_ballot_paper_count ON ballot_paper (ballot_id, constituency, answers);

CREATE TABLE ballot_reminder (
    ballot_id   BIGINT NOT NULL REFERENCES ballot (id),
    due_at      TIMESTAMPTZ NOT NULL,
    sent_at     TIMESTAMPTZ NULL,
    mailing_id  BIGINT NULL,
    PRIMARY KEY (ballot_id, due_at)
);

CREATE TABLE ballot_audit (
    ballot_id  BIGINT NOT NULL REFERENCES ballot (id),
    seq        INTEGER NOT NULL,
    at         TEXT NOT NULL,
    event      TEXT NOT NULL,
    actor      TEXT NOT NULL,
    data       TEXT NOT NULL,
    prev_hash  TEXT NOT NULL,
    hash       TEXT NOT NULL,
    PRIMARY KEY (ballot_id, seq)
);
CREATE FUNCTION ballot_audit_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN RAISE EXCEPTION 'ballot_audit is append-only'; END $$;
CREATE TRIGGER ballot_audit_no_change BEFORE UPDATE OR DELETE ON ballot_audit
FOR EACH ROW EXECUTE FUNCTION ballot_audit_append_only();
