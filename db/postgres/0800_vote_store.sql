-- A vote's claim updates its elector row (voted, voted_hour), neither of them indexed. With room left on each page,
-- PostgreSQL updates the row in place on its page (a HOT update) and writes no new entry in the primary key or the
-- credential index; the pages filled to the brim at opening forced every claim to move its row to another page and
-- insert two index entries. Rows moved that way also piled up at the end of the heap in voting order; in place, they
-- stay in the order the electorate was frozen. Applies to the pages of ballots opened from now on.
-- See docs/decisions/0800-postgres-vote-store.md.
ALTER TABLE ballot_elector SET (fillfactor = 85);

-- A staged paper is only ever written by the vote's statement, for a ballot it has just locked FOR SHARE as open, and
-- it moves on to ballot_paper (which keeps its foreign key) or is deleted at close: the per-row foreign-key check on
-- insert was a fifth of that statement's time.
ALTER TABLE ballot_paper_staged DROP CONSTRAINT IF EXISTS ballot_paper_staged_ballot_id_fkey;

-- The staging table is vacuumed beside the vote writer after each mix. Giving back its empty tail pages needs an
-- exclusive lock, which queued the writer's next insert behind the vacuum (wait events Lock/relation and
-- VacuumTruncate in the benchmark); the table's pages are reused by the next votes anyway.
ALTER TABLE ballot_paper_staged SET (vacuum_truncate = false);
