-- Cost of mixing ballot papers on PostgreSQL (docs/decisions/0210), in plain SQL on a scratch database:
--   createdb bf_mixbench && psql -d bf_mixbench -f bench/ballot-paper-mixing.sql | grep Time
CREATE TABLE ballot_paper (ballot_id BIGINT NOT NULL, receipt TEXT COLLATE "C" NOT NULL, constituency TEXT NOT NULL, answers TEXT NOT NULL, PRIMARY KEY (ballot_id, receipt));
CREATE INDEX ix_ballot_paper_count ON ballot_paper (ballot_id, constituency, answers);
CREATE TABLE ballot_paper_staged (LIKE ballot_paper INCLUDING ALL);
\timing on
-- 20 papers staged, mixed (what the vote writer does per group): repeated 5 times
INSERT INTO ballot_paper_staged SELECT 1, md5(random()::text), 'all', '{"q":"Yes"}' FROM generate_series(1,20);
WITH moved AS (DELETE FROM ballot_paper_staged WHERE ballot_id IN (SELECT ballot_id FROM ballot_paper_staged GROUP BY ballot_id HAVING COUNT(*) >= 20) RETURNING ballot_id, receipt, constituency, answers) INSERT INTO ballot_paper SELECT * FROM moved ORDER BY random();
VACUUM ballot_paper_staged;
INSERT INTO ballot_paper_staged SELECT 1, md5(random()::text), 'all', '{"q":"Yes"}' FROM generate_series(1,512);
WITH moved AS (DELETE FROM ballot_paper_staged WHERE ballot_id IN (SELECT ballot_id FROM ballot_paper_staged GROUP BY ballot_id HAVING COUNT(*) >= 20) RETURNING ballot_id, receipt, constituency, answers) INSERT INTO ballot_paper SELECT * FROM moved ORDER BY random();
VACUUM ballot_paper_staged;
-- 100,000 papers already mixed; close: flush and reshuffle
INSERT INTO ballot_paper SELECT 1, md5(random()::text), 'all', '{"q":"Yes"}' FROM generate_series(1,100000);
BEGIN;
WITH staged AS (DELETE FROM ballot_paper_staged WHERE ballot_id = 1 RETURNING ballot_id, receipt, constituency, answers), mixed AS (DELETE FROM ballot_paper WHERE ballot_id = 1 RETURNING ballot_id, receipt, constituency, answers) INSERT INTO ballot_paper SELECT * FROM (SELECT * FROM staged UNION ALL SELECT * FROM mixed) p ORDER BY random();
COMMIT;
VACUUM ballot_paper_staged;
VACUUM ballot_paper;
