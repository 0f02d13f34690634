-- The vote's statement wrote each sealed paper under a per-row foreign-key trigger (one SPI query and one KEY SHARE
-- lock on the ballot per paper), for a ballot the same statement has just locked FOR SHARE as open; the running sums'
-- upsert did the same per row. As in ADR 0810, the key is written only by code that takes it from the ballot row in
-- the same transaction (the vote store, returned papers, closing), and ballot rows are never deleted (the trigger
-- ballot_kept), so no paper or sum can be orphaned. ADR 0912.
ALTER TABLE ballot_paper DROP CONSTRAINT IF EXISTS ballot_paper_ballot_id_fkey;
ALTER TABLE ballot_running_sum DROP CONSTRAINT IF EXISTS ballot_running_sum_ballot_id_fkey;
