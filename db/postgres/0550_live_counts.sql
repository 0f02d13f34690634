-- Counters the console reads instead of counting 450,000 rows per request (ADR 0550): turnout per constituency and per
-- hour, and each mailing's recipients per state. Statement triggers keep them in the transaction that changes the rows,
-- so every writer (the vote path, returned papers, the mail sender, a cancel) moves them and no count can drift.
-- A counter is spread over four rows (`shard`, from the backend's pid): concurrent writers, for instance two API
-- processes recording votes in one constituency, then rarely queue on one row until the other commits.
CREATE TABLE ballot_turnout (
    ballot_id     BIGINT NOT NULL,
    constituency  TEXT NOT NULL,
    shard         INTEGER NOT NULL,
    voted         BIGINT NOT NULL,
    PRIMARY KEY (ballot_id, constituency, shard)
);

CREATE TABLE ballot_turnout_hour (
    ballot_id     BIGINT NOT NULL,
    voted_hour    TIMESTAMPTZ NOT NULL,   -- the epoch for a vote recorded without its hour
    shard         INTEGER NOT NULL,
    voted         BIGINT NOT NULL,
    PRIMARY KEY (ballot_id, voted_hour, shard)
);

CREATE TABLE mailing_tally (
    mailing_id  BIGINT NOT NULL,
    state       TEXT NOT NULL,
    shard       INTEGER NOT NULL,
    n           BIGINT NOT NULL,
    PRIMARY KEY (mailing_id, state, shard)
);

-- Keys in order within a statement, so two transactions never wait on each other's rows in opposite orders.
CREATE FUNCTION ballot_turnout_count() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    INSERT INTO ballot_turnout (ballot_id, constituency, shard, voted)
        SELECT n.ballot_id, n.constituency, pg_backend_pid() % 4, SUM(n.voted - o.voted)
        FROM changed_new n JOIN changed_old o ON o.ballot_id = n.ballot_id AND o.member_id = n.member_id
        WHERE n.voted <> o.voted GROUP BY 1, 2 ORDER BY 1, 2
        ON CONFLICT (ballot_id, constituency, shard) DO UPDATE SET voted = ballot_turnout.voted + excluded.voted;
    INSERT INTO ballot_turnout_hour (ballot_id, voted_hour, shard, voted)
        SELECT n.ballot_id, coalesce(CASE WHEN n.voted > o.voted THEN n.voted_hour ELSE o.voted_hour END, '1970-01-01T00:00:00Z'),
               pg_backend_pid() % 4, SUM(n.voted - o.voted)
        FROM changed_new n JOIN changed_old o ON o.ballot_id = n.ballot_id AND o.member_id = n.member_id
        WHERE n.voted <> o.voted GROUP BY 1, 2 ORDER BY 1, 2
        ON CONFLICT (ballot_id, voted_hour, shard) DO UPDATE SET voted = ballot_turnout_hour.voted + excluded.voted;
    RETURN NULL;
END $$;

CREATE FUNCTION ballot_turnout_uncount() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    INSERT INTO ballot_turnout (ballot_id, constituency, shard, voted)
        SELECT ballot_id, constituency, pg_backend_pid() % 4, -SUM(voted) FROM changed_old WHERE voted <> 0 GROUP BY 1, 2 ORDER BY 1, 2
        ON CONFLICT (ballot_id, constituency, shard) DO UPDATE SET voted = ballot_turnout.voted + excluded.voted;
    INSERT INTO ballot_turnout_hour (ballot_id, voted_hour, shard, voted)
        SELECT ballot_id, coalesce(voted_hour, '1970-01-01T00:00:00Z'), pg_backend_pid() % 4, -SUM(voted) FROM changed_old WHERE voted <> 0 GROUP BY 1, 2 ORDER BY 1, 2
        ON CONFLICT (ballot_id, voted_hour, shard) DO UPDATE SET voted = ballot_turnout_hour.voted + excluded.voted;
    RETURN NULL;
END $$;

CREATE TRIGGER ballot_elector_turnout AFTER UPDATE ON ballot_elector
    REFERENCING OLD TABLE AS changed_old NEW TABLE AS changed_new FOR EACH STATEMENT EXECUTE FUNCTION ballot_turnout_count();
CREATE TRIGGER ballot_elector_turnout_delete AFTER DELETE ON ballot_elector
    REFERENCING OLD TABLE AS changed_old FOR EACH STATEMENT EXECUTE FUNCTION ballot_turnout_uncount();

-- One function for the three statements: each side of a change counts, the old rows down and the new rows up.
CREATE FUNCTION mailing_tally_count() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'INSERT' THEN
        INSERT INTO mailing_tally (mailing_id, state, shard, n)
            SELECT mailing_id, state, pg_backend_pid() % 4, COUNT(*) FROM changed_new GROUP BY 1, 2 ORDER BY 1, 2
            ON CONFLICT (mailing_id, state, shard) DO UPDATE SET n = mailing_tally.n + excluded.n;
    ELSIF TG_OP = 'DELETE' THEN
        INSERT INTO mailing_tally (mailing_id, state, shard, n)
            SELECT mailing_id, state, pg_backend_pid() % 4, -COUNT(*) FROM changed_old GROUP BY 1, 2 ORDER BY 1, 2
            ON CONFLICT (mailing_id, state, shard) DO UPDATE SET n = mailing_tally.n + excluded.n;
    ELSE
        INSERT INTO mailing_tally (mailing_id, state, shard, n)
            SELECT mailing_id, state, pg_backend_pid() % 4, SUM(d) FROM (
                SELECT o.mailing_id, o.state, -1 AS d FROM changed_old o JOIN changed_new n ON n.id = o.id WHERE n.state <> o.state
                UNION ALL
                SELECT n.mailing_id, n.state, 1 FROM changed_old o JOIN changed_new n ON n.id = o.id WHERE n.state <> o.state
            ) moved GROUP BY 1, 2 ORDER BY 1, 2
            ON CONFLICT (mailing_id, state, shard) DO UPDATE SET n = mailing_tally.n + excluded.n;
    END IF;
    RETURN NULL;
END $$;

CREATE TRIGGER mailing_recipient_tally_insert AFTER INSERT ON mailing_recipient
    REFERENCING NEW TABLE AS changed_new FOR EACH STATEMENT EXECUTE FUNCTION mailing_tally_count();
CREATE TRIGGER mailing_recipient_tally_update AFTER UPDATE ON mailing_recipient
    REFERENCING OLD TABLE AS changed_old NEW TABLE AS changed_new FOR EACH STATEMENT EXECUTE FUNCTION mailing_tally_count();
CREATE TRIGGER mailing_recipient_tally_delete AFTER DELETE ON mailing_recipient
    REFERENCING OLD TABLE AS changed_old FOR EACH STATEMENT EXECUTE FUNCTION mailing_tally_count();

-- What is already there.
INSERT INTO ballot_turnout (ballot_id, constituency, shard, voted)
    SELECT ballot_id, constituency, 0, SUM(voted) FROM ballot_elector WHERE voted <> 0 GROUP BY ballot_id, constituency;
INSERT INTO ballot_turnout_hour (ballot_id, voted_hour, shard, voted)
    SELECT ballot_id, coalesce(voted_hour, '1970-01-01T00:00:00Z'), 0, SUM(voted) FROM ballot_elector WHERE voted <> 0 GROUP BY 1, 2;
INSERT INTO mailing_tally (mailing_id, state, shard, n)
    SELECT mailing_id, state, 0, COUNT(*) FROM mailing_recipient GROUP BY mailing_id, state;

-- A page of the turnout table sorted by name walks this index (GetTurnout.Order).
CREATE INDEX ix_ballot_constituency_name ON ballot_constituency (ballot_id, lower(name), constituency);
