-- Issue 16: notices to employers (s.226A, s.234A). See docs/decisions/0601-employer-notices.md.

-- What the s.226A notice must give beyond the categories, the workplaces and the total: under the 2016 rules also the
-- number in each category and at each workplace; the Employment Rights Act 2025 removed those.
ALTER TABLE statutory_rule_set ADD COLUMN notice_numbers_by_category_and_workplace INTEGER NOT NULL DEFAULT 0;
UPDATE statutory_rule_set SET notice_numbers_by_category_and_workplace = 1 WHERE code = 'tua-2016';

-- Each notice, sample voting paper and notice of action given to an employer of a ballot's electorate: marked as given
-- by the executive (by hand, by post) or emailed by the worker. The last one given of each kind is the one that counts.
CREATE TABLE ballot_employer_notice (
    id           INTEGER PRIMARY KEY,
    ballot_id    INTEGER NOT NULL REFERENCES ballot (id),
    employer     TEXT NOT NULL,
    kind         TEXT NOT NULL CHECK (kind IN ('ballot-notice', 'sample-paper', 'action-notice')),
    how          TEXT NOT NULL CHECK (how IN ('marked', 'emailed')),
    given_at     TEXT NOT NULL,
    email        TEXT NULL,
    recorded_by  TEXT NOT NULL,
    recorded_at  TEXT NOT NULL
);
CREATE INDEX ix_ballot_employer_notice ON ballot_employer_notice (ballot_id, employer, kind, given_at);

-- Notices waiting to be emailed: the worker draws the PDF, sends it to the employer's contact address, then records it
-- in ballot_employer_notice as given when it was sent.
CREATE TABLE employer_letter (
    id          INTEGER PRIMARY KEY,
    ballot_id   INTEGER NOT NULL REFERENCES ballot (id),
    employer    TEXT NOT NULL,
    kind        TEXT NOT NULL CHECK (kind IN ('ballot-notice', 'sample-paper', 'action-notice')),
    email       TEXT NOT NULL,
    sent_by     TEXT NOT NULL,
    state       TEXT NOT NULL CHECK (state IN ('pending', 'sent', 'failed')),
    attempts    INTEGER NOT NULL DEFAULT 0,
    last_error  TEXT NULL,
    next_at     TEXT NOT NULL,
    created_at  TEXT NOT NULL,
    sent_at     TEXT NULL
);
CREATE INDEX ix_employer_letter_due ON employer_letter (state, next_at);

-- s.226A(1)(b), the sample voting paper at least 3 days before the opening day, stands under the 2025 Act
-- (issue 16; design notes, "Statutory ballots in 2026"); the seeded row left it empty.
UPDATE statutory_rule_set SET sample_paper_days = 3 WHERE code = 'era-2025' AND sample_paper_days IS NULL;
