-- Issue 16: statutory ballots as the law runs them. See docs/decisions/0600-voting-methods-as-data.md.

-- How a ballot is voted: by post only, online only, or hybrid (a postal pack whose paper may be posted back or used online).
-- Ballots before this change were all online.
ALTER TABLE ballot ADD COLUMN voting_method TEXT NOT NULL DEFAULT 'electronic'
    CHECK (voting_method IN ('postal', 'electronic', 'hybrid'));

-- Which methods the law allows for which kind of ballot, by the date the ballot opens (applies_from <= day < applies_until),
-- as data beside statutory_rule_set: when the Permissible Means of Voting Order commences, its date is a new row.
-- authority names the rule, so a refusal can say which rule allows what.
CREATE TABLE lawful_voting_method (
    ballot_kind    TEXT NOT NULL CHECK (ballot_kind IN ('industrial-action', 'consultative')),
    voting_method  TEXT NOT NULL CHECK (voting_method IN ('postal', 'electronic', 'hybrid')),
    applies_from   TEXT NOT NULL,      -- yyyy-MM-dd, inclusive
    applies_until  TEXT NULL,          -- yyyy-MM-dd, exclusive
    authority      TEXT NOT NULL,
    PRIMARY KEY (ballot_kind, voting_method, applies_from)
);
INSERT INTO lawful_voting_method (ballot_kind, voting_method, applies_from, applies_until, authority) VALUES
 ('industrial-action', 'postal', '1993-08-30', NULL, 'TULRCA 1992 s.230(2): voting by post to the home address'),
 ('consultative', 'postal', '1900-01-01', NULL, 'a consultative ballot is not a statutory ballot'),
 ('consultative', 'electronic', '1900-01-01', NULL, 'a consultative ballot is not a statutory ballot'),
 ('consultative', 'hybrid', '1900-01-01', NULL, 'a consultative ballot is not a statutory ballot');

-- Home addresses, for voting papers sent by post (s.230), and whether the email is the member's own or their employer's
-- (NULL: not known; then an address at one of the employer's email domains counts as work).
ALTER TABLE member ADD COLUMN address_line1 TEXT NULL;
ALTER TABLE member ADD COLUMN address_line2 TEXT NULL;
ALTER TABLE member ADD COLUMN address_line3 TEXT NULL;
ALTER TABLE member ADD COLUMN town TEXT NULL;
ALTER TABLE member ADD COLUMN postcode TEXT NULL;
ALTER TABLE member ADD COLUMN email_kind TEXT NULL CHECK (email_kind IN ('personal', 'work'));

-- Employers as workplace.employer names them: where their notices go, and the email domains that are theirs.
CREATE TABLE employer (
    name           TEXT PRIMARY KEY,   -- exactly as workplace.employer spells it
    contact_email  TEXT NULL
);
INSERT INTO employer (name) SELECT DISTINCT employer FROM workplace;

-- Lower case; 'leeds.gov.uk' is that domain exactly, '*.sch.uk' any domain ending in '.sch.uk'.
CREATE TABLE employer_email_domain (
    employer  TEXT NOT NULL REFERENCES employer (name),
    domain    TEXT NOT NULL,
    PRIMARY KEY (employer, domain)
);
