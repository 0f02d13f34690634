-- The fingerprint (HMAC of a fixed label) of the credential key the first ballot was opened with. A process holding
-- another key refuses to open ballots or render voting links. See docs/decisions/0211-one-credential-key-per-database.md.
CREATE TABLE ballot_credential_key (
    id           INTEGER PRIMARY KEY CHECK (id = 1),
    fingerprint  TEXT NOT NULL
);
