-- PostgreSQL only (it leaves room on ballot_elector's pages so a vote's claim updates its row in place); SQLite
-- updates rows in place in its B-tree already. Kept so both engines have the same numbered migrations.
SELECT 1;
