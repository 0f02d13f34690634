-- Opening a 450,000-elector ballot and importing a 450,000-member register spent a third to two thirds of their
-- statements' time in PostgreSQL's per-row foreign-key triggers (one SPI query and one row lock per row and key:
-- 1.8 million at an opening), measured with EXPLAIN (ANALYZE) (ADR 0810). These keys are written only by code that
-- takes the parent's id from the parent in the same transaction, and their parents are never deleted; the guard
-- below makes "never deleted" the database's rule instead of the code's habit, so no child can be orphaned.
ALTER TABLE member DROP CONSTRAINT member_workplace_id_fkey, DROP CONSTRAINT member_category_fkey;
ALTER TABLE ballot_elector DROP CONSTRAINT ballot_elector_ballot_id_fkey, DROP CONSTRAINT ballot_elector_member_id_fkey;
ALTER TABLE mailing_recipient DROP CONSTRAINT mailing_recipient_mailing_id_fkey, DROP CONSTRAINT mailing_recipient_member_id_fkey;

CREATE FUNCTION parent_rows_are_kept() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION '% rows are never deleted: other tables refer to them without a foreign key (ADR 0810)', TG_TABLE_NAME;
END $$;
CREATE TRIGGER workplace_kept BEFORE DELETE OR TRUNCATE ON workplace FOR EACH STATEMENT EXECUTE FUNCTION parent_rows_are_kept();
CREATE TRIGGER member_category_kept BEFORE DELETE OR TRUNCATE ON member_category FOR EACH STATEMENT EXECUTE FUNCTION parent_rows_are_kept();
CREATE TRIGGER member_kept BEFORE DELETE OR TRUNCATE ON member FOR EACH STATEMENT EXECUTE FUNCTION parent_rows_are_kept();
CREATE TRIGGER ballot_kept BEFORE DELETE OR TRUNCATE ON ballot FOR EACH STATEMENT EXECUTE FUNCTION parent_rows_are_kept();
CREATE TRIGGER mailing_kept BEFORE DELETE OR TRUNCATE ON mailing FOR EACH STATEMENT EXECUTE FUNCTION parent_rows_are_kept();

-- Random credential hashes and membership numbers (ASCII by the import's rule) compared byte-wise: a unique index
-- under C.UTF-8 calls strcoll for every comparison, about 19 per row inserted into a 450,000-row index.
ALTER TABLE ballot_elector ALTER COLUMN credential_hash TYPE text COLLATE "C";
ALTER TABLE member ALTER COLUMN membership_number TYPE text COLLATE "C";
