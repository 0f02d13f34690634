-- PostgreSQL only (ADR 0810): its per-row foreign-key triggers dominated bulk opening and import. SQLite checks a
-- foreign key with a direct b-tree probe inside the same statement, which costs little, and compares text byte-wise
-- already, so it keeps its keys. This file keeps the two engines' migration numbers in step.
SELECT 1;
