-- PostgreSQL only: motion search reads a narrow table of its own (docs/decisions/0820). SQLite's FTS5 table already
-- is one. Kept so both engines have the same numbered migrations.
SELECT 1;
