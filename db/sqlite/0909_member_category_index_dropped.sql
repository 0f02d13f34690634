-- ix_member_category_status (category, status) served no query that a scan does not serve as well: a category or a
-- status is a large share of the register (a quarter to a half of it), so the planner reads the table for it. Yet on a
-- first load it was the costliest index to build again (0.65-0.77 s of 450,000 rows on PostgreSQL: a sort over a few
-- repeated strings), and every member written paid for it. ADR 0911.
DROP INDEX IF EXISTS ix_member_category_status;
