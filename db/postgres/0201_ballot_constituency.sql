-- Each constituency a ballot counts (one "all", or one per workplace), named and sized when the ballot opens, so the
-- count and turnout need not group a million elector rows to find who was entitled.
CREATE TABLE ballot_constituency (
    ballot_id     BIGINT NOT NULL REFERENCES ballot (id),
    constituency  TEXT NOT NULL,
    name          TEXT NOT NULL,
    entitled      INTEGER NOT NULL,
    PRIMARY KEY (ballot_id, constituency)
);
