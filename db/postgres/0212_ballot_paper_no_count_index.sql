-- The count reads every paper once in receipt order (it hashes the receipts in that pass anyway), so the index on
-- (ballot_id, constituency, answers) only cost each vote's commit one more random page. See docs/decisions/0212-vote-writer-pages.md.
DROP INDEX IF EXISTS ix_ballot_paper_count;
