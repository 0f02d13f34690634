-- Conferences, their motions and amendments, the votes that decided them, and the instructions
-- a carried motion gives the Executive.
CREATE TABLE conference (
    id          INTEGER PRIMARY KEY,
    name        TEXT NOT NULL,
    place       TEXT NOT NULL,
    starts_on   TEXT NOT NULL,   -- yyyy-mm-dd
    ends_on     TEXT NOT NULL,
    created_at  TEXT NOT NULL
);

CREATE TABLE motion (
    id                INTEGER PRIMARY KEY,
    conference_id     INTEGER NOT NULL REFERENCES conference (id),
    number            INTEGER NOT NULL,
    title             TEXT NOT NULL,
    original_text     TEXT NOT NULL,   -- exactly as entered, never changed
    text              TEXT NOT NULL,   -- the substantive motion: original_text with every carried amendment applied
    proposer_kind     TEXT NULL CHECK (proposer_kind IN ('branch', 'division', 'member', 'executive')),
    proposer_name     TEXT NULL,
    seconder_kind     TEXT NULL CHECK (seconder_kind IN ('branch', 'division', 'member', 'executive')),
    seconder_name     TEXT NULL,
    topic             TEXT NULL,
    needs_two_thirds  INTEGER NOT NULL DEFAULT 0,
    status            TEXT NOT NULL CHECK (status IN ('submitted', 'prioritised', 'debated', 'carried', 'lost', 'remitted', 'withdrawn')),
    created_at        TEXT NOT NULL,
    updated_at        TEXT NOT NULL,
    UNIQUE (conference_id, number)
);

CREATE TABLE motion_status_change (
    id           INTEGER PRIMARY KEY,
    motion_id    INTEGER NOT NULL REFERENCES motion (id),
    from_status  TEXT NULL,
    to_status    TEXT NOT NULL,
    changed_by   TEXT NULL,
    changed_at   TEXT NOT NULL
);
CREATE INDEX ix_motion_status_change ON motion_status_change (motion_id);

CREATE TABLE amendment (
    id             INTEGER PRIMARY KEY,
    motion_id      INTEGER NOT NULL REFERENCES motion (id),
    number         INTEGER NOT NULL,
    mover_kind     TEXT NOT NULL CHECK (mover_kind IN ('branch', 'division', 'member', 'executive')),
    mover_name     TEXT NOT NULL,
    kind           TEXT NOT NULL CHECK (kind IN ('delete', 'insert', 'add', 'replace')),
    words          TEXT NULL,      -- delete: the words to delete; insert/add/replace: the words to put in
    insert_words   TEXT NULL,      -- delete: words inserted in place of the deleted ones
    place          TEXT NULL CHECK (place IN ('after', 'before')),
    anchor         TEXT NULL,      -- insert: the words the new ones go after or before
    occurrence     INTEGER NULL,   -- which occurrence of words/anchor, when they appear more than once
    status         TEXT NOT NULL CHECK (status IN ('submitted', 'carried', 'lost', 'withdrawn')),
    text_before    TEXT NULL,      -- the motion's text just before this amendment was carried
    text_after     TEXT NULL,
    created_at     TEXT NOT NULL,
    decided_at     TEXT NULL,
    UNIQUE (motion_id, number)
);

-- One row per decision: of the motion (amendment_id NULL) or of one of its amendments.
CREATE TABLE motion_vote (
    id                 INTEGER PRIMARY KEY,
    motion_id          INTEGER NOT NULL REFERENCES motion (id),
    amendment_id       INTEGER NULL REFERENCES amendment (id),
    method             TEXT NOT NULL CHECK (method IN ('show-of-hands', 'card')),
    votes_for          INTEGER NULL,
    votes_against      INTEGER NULL,
    abstentions        INTEGER NULL,
    two_thirds         INTEGER NOT NULL,
    result             TEXT NOT NULL CHECK (result IN ('carried', 'lost')),
    recorded_by        TEXT NULL,
    recorded_at        TEXT NOT NULL
);
CREATE INDEX ix_motion_vote_motion ON motion_vote (motion_id);

-- The substantive text after each step: version 1 is the text as entered, each carried amendment adds one.
CREATE TABLE motion_text_version (
    motion_id     INTEGER NOT NULL REFERENCES motion (id),
    version       INTEGER NOT NULL,
    amendment_id  INTEGER NULL REFERENCES amendment (id),
    text          TEXT NOT NULL,
    created_at    TEXT NOT NULL,
    PRIMARY KEY (motion_id, version)
);

CREATE TABLE instruction (
    id             INTEGER PRIMARY KEY,
    motion_id      INTEGER NOT NULL REFERENCES motion (id),
    number         INTEGER NOT NULL,
    text           TEXT NOT NULL,
    due_term       TEXT NULL CHECK (due_term IN ('spring', 'summer', 'autumn')),
    due_year       INTEGER NULL,
    due_on         TEXT NULL,      -- yyyy-mm-dd: the last day of the named term
    assignee       TEXT NULL,
    progress       TEXT NOT NULL CHECK (progress IN ('not-started', 'in-progress', 'done')),
    progress_note  TEXT NULL,
    created_at     TEXT NOT NULL,
    updated_at     TEXT NOT NULL,
    updated_by     TEXT NULL,
    UNIQUE (motion_id, number)
);
CREATE INDEX ix_instruction_open ON instruction (progress, due_on);

-- What carries an instruction out. No foreign key: mailing, ballot and campaign are other features'
-- tables, and the link is checked against them when it is made.
CREATE TABLE instruction_link (
    instruction_id  INTEGER NOT NULL REFERENCES instruction (id),
    kind            TEXT NOT NULL CHECK (kind IN ('mailing', 'ballot', 'campaign')),
    target_id       INTEGER NOT NULL,
    linked_by       TEXT NULL,
    linked_at       TEXT NOT NULL,
    PRIMARY KEY (instruction_id, kind, target_id)
);

-- Full-text search: an external-content FTS5 index over motion titles and texts, kept in step by triggers.
CREATE VIRTUAL TABLE motion_fts USING fts5 (title, text, content = 'motion', content_rowid = 'id', tokenize = 'porter unicode61');

CREATE TRIGGER motion_fts_insert AFTER INSERT ON motion BEGIN
    INSERT INTO motion_fts (rowid, title, text) VALUES (new.id, new.title, new.text);
END;
CREATE TRIGGER motion_fts_delete AFTER DELETE ON motion BEGIN
    INSERT INTO motion_fts (motion_fts, rowid, title, text) VALUES ('delete', old.id, old.title, old.text);
END;
CREATE TRIGGER motion_fts_update AFTER UPDATE OF title, text ON motion BEGIN
    INSERT INTO motion_fts (motion_fts, rowid, title, text) VALUES ('delete', old.id, old.title, old.text);
    INSERT INTO motion_fts (rowid, title, text) VALUES (new.id, new.title, new.text);
END;
-- Title matches weigh ten times text matches; set once so queries can use the fast "ORDER BY rank".
INSERT INTO motion_fts (motion_fts, rank) VALUES ('rank', 'bm25(10.0, 1.0)');
