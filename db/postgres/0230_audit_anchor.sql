-- TRUNCATE skips row triggers: refuse it on the audit chain too (ADR 0230). An administrator can still drop the
-- triggers; the anchors (the result's and the signed certificate's chain head and length) catch what follows.
CREATE FUNCTION ballot_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN RAISE EXCEPTION '% is append-only', TG_TABLE_NAME; END $$;
CREATE TRIGGER ballot_audit_no_truncate BEFORE TRUNCATE ON ballot_audit
FOR EACH STATEMENT EXECUTE FUNCTION ballot_append_only();

-- The scrutineer's certificate: the exact statement signed (result hash, chain head and length, ...), its ECDSA P-256
-- signature (DER, base64) and the public key that verifies it (SPKI PEM).
CREATE TABLE ballot_certificate (
    ballot_id        BIGINT PRIMARY KEY REFERENCES ballot (id),
    statement        TEXT NOT NULL,
    signature        TEXT NOT NULL,
    public_key       TEXT NOT NULL,
    key_fingerprint  TEXT NOT NULL
);
CREATE TRIGGER ballot_certificate_no_change BEFORE UPDATE OR DELETE ON ballot_certificate
FOR EACH ROW EXECUTE FUNCTION ballot_append_only();
CREATE TRIGGER ballot_certificate_no_truncate BEFORE TRUNCATE ON ballot_certificate
FOR EACH STATEMENT EXECUTE FUNCTION ballot_append_only();
