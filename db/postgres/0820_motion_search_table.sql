-- Motion search reads a narrow table of its own (docs/decisions/0820-motion-search-reads-a-narrow-table.md).
-- The motion rows are wide (title, text, original text, the tsvector: about 2.2 KB), so checking a word against each of
-- the newest motions read three rows a page and cost 10-20 µs a row; here about nine rows a page, and under a microsecond.
CREATE TABLE motion_search (
    id             bigint PRIMARY KEY REFERENCES motion (id) ON DELETE CASCADE,
    conference_id  bigint NOT NULL,
    search         tsvector NOT NULL
) WITH (toast_tuple_target = 8160);
-- Kept in the row and uncompressed up to a page: a compressed or out-of-line tsvector is unpacked at every check.
ALTER TABLE motion_search ALTER COLUMN search SET STORAGE MAIN;
INSERT INTO motion_search (id, conference_id, search) SELECT id, conference_id, search FROM motion;
-- Without fastupdate every search would also scan the index's pending list of recent entries; motions are written
-- rarely, so paying at the write is the better side.
CREATE INDEX ix_motion_search_words ON motion_search USING GIN (search) WITH (fastupdate = off);
CREATE INDEX ix_motion_search_conference ON motion_search (conference_id, id);
DROP INDEX ix_motion_search;

CREATE FUNCTION motion_search_sync() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    INSERT INTO motion_search (id, conference_id, search) VALUES (NEW.id, NEW.conference_id, NEW.search)
    ON CONFLICT (id) DO UPDATE SET conference_id = EXCLUDED.conference_id, search = EXCLUDED.search;
    RETURN NULL;
END $$;
CREATE TRIGGER motion_search_sync AFTER INSERT OR UPDATE OF title, text, conference_id ON motion
    FOR EACH ROW EXECUTE FUNCTION motion_search_sync();

-- The ids of the newest @want motions matching q, newest first (ADR 0402's window, found from the top): looked for among
-- the newest 2,048 motions, then further back, span by span, each span sized from the matches found so far, until
-- enough are found or none are left. No row is checked twice; within each span the planner chooses between walking
-- the ids and the word index, as the words are common or rare.
CREATE FUNCTION motion_recent_matches(q tsquery, want int) RETURNS bigint[]
LANGUAGE plpgsql STABLE SET plan_cache_mode = force_custom_plan AS $$
DECLARE
    newest bigint;
    oldest bigint;
    upto bigint;
    span bigint := 2048;
    ids bigint[] := '{}';
BEGIN
    SELECT min(id), max(id) INTO oldest, newest FROM motion_search;
    IF newest IS NULL THEN RETURN ids; END IF;
    upto := newest;
    LOOP
        ids := ids || ARRAY(SELECT s.id FROM motion_search s WHERE s.id <= upto AND s.id > upto - span AND s.search @@ q
                            ORDER BY s.id DESC LIMIT want - cardinality(ids));
        EXIT WHEN cardinality(ids) >= want OR upto - span < oldest;
        upto := upto - span;
        span := CASE WHEN cardinality(ids) = 0 THEN span * 4
                     ELSE greatest(span, ceil((want - cardinality(ids)) * 1.25 * (newest - upto) / cardinality(ids))::bigint) END;
    END LOOP;
    RETURN ids;
END $$;
