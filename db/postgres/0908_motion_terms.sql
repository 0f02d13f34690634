-- Motion search finds its window in posting lists of its own (docs/decisions/0909-motion-search-reads-posting-lists.md).
-- GIN gives a search's matches in no order, so finding the newest 500 of a common word read every match or walked the
-- newest motions span by span (ADR 0820). A B-tree on (term, id) holds each term's motions in id order: the newest
-- matches of several terms are a merge of their lists read backwards, index only, stopping at the 500th.
-- A term is a lexeme, or two lexemes at adjacent positions ("nation ballot"), so that a phrase is found from its pairs.
-- A term's score is the weight of its occurrences (title 1.0, text 0.4, as ts_rank's default weights; a pair weighs
-- as its first word): the search ranks the window from the index without reading a motion.
CREATE TABLE motion_term (
    term   text NOT NULL,
    id     bigint NOT NULL,
    score  real NOT NULL,
    PRIMARY KEY (term, id) INCLUDE (score)
);

-- The terms of a tsvector with their scores: each lexeme, and each pair of lexemes at adjacent positions. A term over
-- 1,000 bytes (a "word" of hundreds of letters) is left out: a B-tree entry must fit a third of a page, and a motion
-- holding two such words side by side could not be saved. The search checks such a word on its results only.
CREATE FUNCTION motion_terms(v tsvector) RETURNS TABLE (term text, score real)
LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
    WITH p AS (
        SELECT u.lexeme, x.pos, CASE x.w WHEN 'A' THEN 1.0 WHEN 'B' THEN 0.4 WHEN 'C' THEN 0.2 ELSE 0.1 END AS weight
        FROM unnest(v) u LEFT JOIN LATERAL unnest(u.positions, u.weights) AS x (pos, w) ON true
        WHERE octet_length(u.lexeme) <= 1000)
    SELECT lexeme, sum(weight)::real FROM p GROUP BY lexeme
    UNION ALL
    SELECT a.lexeme || ' ' || b.lexeme, sum(a.weight)::real FROM p a JOIN p b ON b.pos = a.pos + 1
    WHERE octet_length(a.lexeme) + octet_length(b.lexeme) < 1000 GROUP BY 1
$$;

INSERT INTO motion_term (term, id, score) SELECT t.term, s.id, t.score FROM motion_search s, motion_terms(s.search) t;

-- Kept in the transaction that changes motion_search (itself kept from motion by motion_search_sync).
CREATE FUNCTION motion_term_sync() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP IN ('UPDATE', 'DELETE') THEN
        IF TG_OP = 'UPDATE' AND OLD.search = NEW.search THEN RETURN NULL; END IF;
        DELETE FROM motion_term WHERE id = OLD.id AND term = ANY (ARRAY(SELECT t.term FROM motion_terms(OLD.search) t));
    END IF;
    IF TG_OP IN ('INSERT', 'UPDATE') THEN
        INSERT INTO motion_term (term, id, score) SELECT t.term, NEW.id, t.score FROM motion_terms(NEW.search) t;
    END IF;
    RETURN NULL;
END $$;
CREATE TRIGGER motion_term_sync AFTER INSERT OR UPDATE OR DELETE ON motion_search
    FOR EACH ROW EXECUTE FUNCTION motion_term_sync();

-- Replaced by the posting lists; the word index stays for the search within one conference.
DROP FUNCTION motion_recent_matches(tsquery, int);
