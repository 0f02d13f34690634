-- PostgreSQL only: room on ballot_elector's pages so a vote's claim updates its row in place, and no foreign-key check
-- per staged paper (SQLite updates rows in place in its B-tree and stages no papers). Kept so both engines have the
-- same numbered migrations.
SELECT 1;
