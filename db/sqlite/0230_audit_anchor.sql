-- The scrutineer's certificate: the exact statement signed (result hash, chain head and length, ...), its ECDSA P-256
-- signature (DER, base64) and the public key that verifies it (SPKI PEM). See ADR 0230.
CREATE TABLE ballot_certificate (
    ballot_id        INTEGER PRIMARY KEY REFERENCES ballot (id),
    statement        TEXT NOT NULL,
    signature        TEXT NOT NULL,
    public_key       TEXT NOT NULL,
    key_fingerprint  TEXT NOT NULL
);
CREATE TRIGGER ballot_certificate_no_update BEFORE UPDATE ON ballot_certificate
BEGIN SELECT RAISE(ABORT, 'ballot_certificate is append-only'); END;
CREATE TRIGGER ballot_certificate_no_delete BEFORE DELETE ON ballot_certificate
BEGIN SELECT RAISE(ABORT, 'ballot_certificate is append-only'); END;
