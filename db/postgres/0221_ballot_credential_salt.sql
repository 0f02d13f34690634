-- Review finding 5 (issue 11): a random salt per ballot, made when it opens, mixed into every credential, so the key
-- alone (or the key on a rebuilt database) derives no link. See docs/decisions/0221-credential-salt-per-ballot.md.
-- Ballots opened before this change keep the derivation their letters were made with: an empty salt marks them.
CREATE TABLE ballot_credential_salt (
    ballot_id  BIGINT PRIMARY KEY REFERENCES ballot (id),
    salt       TEXT NOT NULL     -- base64 of 32 bytes from a CSPRNG; '' = derived before salts existed
);
INSERT INTO ballot_credential_salt (ballot_id, salt) SELECT id, '' FROM ballot WHERE status <> 'draft';
CREATE FUNCTION ballot_credential_salt_fixed() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN RAISE EXCEPTION 'a ballot''s credential salt never changes'; END $$;
CREATE TRIGGER ballot_credential_salt_no_change BEFORE UPDATE OR DELETE ON ballot_credential_salt
FOR EACH ROW EXECUTE FUNCTION ballot_credential_salt_fixed();
