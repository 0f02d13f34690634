-- PostgreSQL only (ADR 0912, as ADR 0810): its per-row foreign-key triggers on the vote's papers and running sums.
-- SQLite checks a foreign key with a direct b-tree probe inside the same statement, which costs little, so it keeps
-- its keys. This file keeps the two engines' migration numbers in step.
SELECT 1;
