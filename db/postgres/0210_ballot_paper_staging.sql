-- A vote's transaction writes its paper here, not to ballot_paper: a paper committed together with the elector's
-- claim would share that claim's xmin and follow it in heap order (review finding 1). The vote writer moves staged
-- papers into ballot_paper in random order, in a transaction of its own, once enough of one ballot have gathered;
-- closing moves the rest and reshuffles the ballot's papers. See docs/decisions/0210-mixing-papers-on-postgres.md.
CREATE TABLE ballot_paper_staged (
    ballot_id     BIGINT NOT NULL REFERENCES ballot (id),
    receipt       TEXT COLLATE "C" NOT NULL,
    constituency  TEXT NOT NULL,
    answers       TEXT NOT NULL,
    PRIMARY KEY (ballot_id, receipt)
);

-- Every paper cast, mixed or not yet: receipts are checked and turnout-style counts are made against this.
CREATE VIEW ballot_paper_cast AS
    SELECT ballot_id, receipt, constituency, answers FROM ballot_paper
    UNION ALL
    SELECT ballot_id, receipt, constituency, answers FROM ballot_paper_staged;
