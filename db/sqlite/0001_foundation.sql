-- Staff sign-in: only the SHA-256 of each bearer token is kept.
CREATE TABLE staff_token (
    id           INTEGER PRIMARY KEY,
    name         TEXT NOT NULL,
    role         TEXT NOT NULL CHECK (role IN ('executive', 'organiser', 'scrutineer')),
    token_hash   TEXT NOT NULL UNIQUE,
    prefix       TEXT NOT NULL,
    created_at   TEXT NOT NULL,
    revoked_at   TEXT NULL
);

-- The member register.
CREATE TABLE member_category (
    code  TEXT PRIMARY KEY,
    label TEXT NOT NULL
);
INSERT INTO member_category (code, label) VALUES
    ('teacher', 'Teacher'),
    ('leader', 'School leader'),
    ('support-staff', 'Support staff'),
    ('supply-teacher', 'Supply teacher'),
    ('lecturer', 'Lecturer'),
    ('student', 'Student teacher'),
    ('retired', 'Retired member');

CREATE TABLE workplace (
    id        INTEGER PRIMARY KEY,
    name      TEXT NOT NULL,
    employer  TEXT NOT NULL,
    region    TEXT NOT NULL,
    UNIQUE (name, employer)
);
CREATE INDEX ix_workplace_employer ON workplace (employer);
CREATE INDEX ix_workplace_region ON workplace (region);

CREATE TABLE member (
    id                 INTEGER PRIMARY KEY,
    membership_number  TEXT NOT NULL UNIQUE,
    first_name         TEXT NULL,
    last_name          TEXT NULL,
    email              TEXT NULL,
    workplace_id       INTEGER NOT NULL REFERENCES workplace (id),
    category           TEXT NOT NULL REFERENCES member_category (code),
    status             TEXT NOT NULL CHECK (status IN ('active', 'lapsed')),
    erased_at          TEXT NULL,
    created_at         TEXT NOT NULL,
    updated_at         TEXT NOT NULL
);
CREATE INDEX ix_member_workplace ON member (workplace_id);
CREATE INDEX ix_member_category_status ON member (category, status);
