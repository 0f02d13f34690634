-- Leaflet campaigns: settings, content per audience and language, local contacts, bulk render jobs.
CREATE TABLE campaign (
    id            INTEGER PRIMARY KEY,
    name          TEXT NOT NULL UNIQUE,
    web_address   TEXT NOT NULL,
    imprint       TEXT NOT NULL,
    brand_colour  TEXT NOT NULL,
    logo_png      BLOB NULL,
    created_by    TEXT NULL,
    created_at    TEXT NOT NULL,
    updated_at    TEXT NOT NULL
);

CREATE TABLE campaign_content (
    campaign_id     INTEGER NOT NULL REFERENCES campaign (id),
    audience        TEXT NOT NULL CHECK (audience IN ('parents', 'governors', 'trade-unionists')),
    language        TEXT NOT NULL,
    headline        TEXT NOT NULL,
    introduction    TEXT NOT NULL,
    sections_json   TEXT NOT NULL,   -- [{"heading": "...", "body": "..."}]
    demands_json    TEXT NOT NULL,   -- ["...", "..."]
    call_to_action  TEXT NOT NULL,
    updated_at      TEXT NOT NULL,
    PRIMARY KEY (campaign_id, audience, language)
);

-- The local contact printed on a school's leaflets: a workplace's own, else its region's.
CREATE TABLE leaflet_contact (
    id            INTEGER PRIMARY KEY,
    workplace_id  INTEGER NULL UNIQUE REFERENCES workplace (id),
    region        TEXT NULL UNIQUE,
    name          TEXT NOT NULL,
    email         TEXT NULL,
    phone         TEXT NULL,
    updated_at    TEXT NOT NULL,
    CHECK ((workplace_id IS NULL) <> (region IS NULL))
);

-- A bulk render: the API inserts it as pending; a worker claims it, renders one PDF per school into a zip file.
CREATE TABLE leaflet_job (
    id            INTEGER PRIMARY KEY,
    campaign_id   INTEGER NOT NULL REFERENCES campaign (id),
    audience      TEXT NOT NULL,
    language      TEXT NOT NULL,
    page_size     TEXT NOT NULL,
    region        TEXT NULL,
    employer      TEXT NULL,
    status        TEXT NOT NULL CHECK (status IN ('pending', 'running', 'done', 'failed')),
    total         INTEGER NOT NULL DEFAULT 0,
    done          INTEGER NOT NULL DEFAULT 0,
    attempts      INTEGER NOT NULL DEFAULT 0,
    file_name     TEXT NULL,
    size_bytes    INTEGER NULL,
    error         TEXT NULL,
    requested_by  TEXT NULL,
    created_at    TEXT NOT NULL,
    started_at    TEXT NULL,
    heartbeat_at  TEXT NULL,
    finished_at   TEXT NULL
);
CREATE INDEX ix_leaflet_job_status ON leaflet_job (status, id);
