-- Counters the console reads instead of counting 450,000 rows per request (ADR 0550): turnout per constituency and per
-- hour, and each mailing's recipients per state. Triggers keep them in the transaction that changes the row, so every
-- writer (the vote path, returned papers, the mail sender, a cancel) moves them and no count can drift from its rows.
-- `shard` spreads one counter over a few rows on PostgreSQL, where concurrent writers would otherwise queue on one row;
-- SQLite has one writer and always uses shard 0.
CREATE TABLE ballot_turnout (
    ballot_id     INTEGER NOT NULL,
    constituency  TEXT NOT NULL,
    shard         INTEGER NOT NULL,
    voted         INTEGER NOT NULL,
    PRIMARY KEY (ballot_id, constituency, shard)
) WITHOUT ROWID;

CREATE TABLE ballot_turnout_hour (
    ballot_id     INTEGER NOT NULL,
    voted_hour    TEXT NOT NULL,       -- the epoch for a vote recorded without its hour (only data written before the hour existed)
    shard         INTEGER NOT NULL,
    voted         INTEGER NOT NULL,
    PRIMARY KEY (ballot_id, voted_hour, shard)
) WITHOUT ROWID;

CREATE TABLE mailing_tally (
    mailing_id  INTEGER NOT NULL,
    state       TEXT NOT NULL,
    shard       INTEGER NOT NULL,
    n           INTEGER NOT NULL,
    PRIMARY KEY (mailing_id, state, shard)
) WITHOUT ROWID;

CREATE TRIGGER ballot_elector_turnout AFTER UPDATE OF voted ON ballot_elector WHEN old.voted <> new.voted
BEGIN
    INSERT INTO ballot_turnout (ballot_id, constituency, shard, voted) VALUES (new.ballot_id, new.constituency, 0, new.voted - old.voted)
        ON CONFLICT (ballot_id, constituency, shard) DO UPDATE SET voted = voted + excluded.voted;
    INSERT INTO ballot_turnout_hour (ballot_id, voted_hour, shard, voted)
        VALUES (new.ballot_id, coalesce(CASE WHEN new.voted > old.voted THEN new.voted_hour ELSE old.voted_hour END, '1970-01-01T00:00:00.0000000Z'), 0, new.voted - old.voted)
        ON CONFLICT (ballot_id, voted_hour, shard) DO UPDATE SET voted = voted + excluded.voted;
END;

CREATE TRIGGER ballot_elector_turnout_delete AFTER DELETE ON ballot_elector WHEN old.voted <> 0
BEGIN
    UPDATE ballot_turnout SET voted = voted - old.voted WHERE ballot_id = old.ballot_id AND constituency = old.constituency AND shard = 0;
    UPDATE ballot_turnout_hour SET voted = voted - old.voted WHERE ballot_id = old.ballot_id AND voted_hour = coalesce(old.voted_hour, '1970-01-01T00:00:00.0000000Z') AND shard = 0;
END;

CREATE TRIGGER mailing_recipient_tally_insert AFTER INSERT ON mailing_recipient
BEGIN
    INSERT INTO mailing_tally (mailing_id, state, shard, n) VALUES (new.mailing_id, new.state, 0, 1)
        ON CONFLICT (mailing_id, state, shard) DO UPDATE SET n = n + 1;
END;

CREATE TRIGGER mailing_recipient_tally_update AFTER UPDATE OF state ON mailing_recipient WHEN old.state <> new.state
BEGIN
    UPDATE mailing_tally SET n = n - 1 WHERE mailing_id = old.mailing_id AND state = old.state AND shard = 0;
    INSERT INTO mailing_tally (mailing_id, state, shard, n) VALUES (new.mailing_id, new.state, 0, 1)
        ON CONFLICT (mailing_id, state, shard) DO UPDATE SET n = n + 1;
END;

CREATE TRIGGER mailing_recipient_tally_delete AFTER DELETE ON mailing_recipient
BEGIN
    UPDATE mailing_tally SET n = n - 1 WHERE mailing_id = old.mailing_id AND state = old.state AND shard = 0;
END;

-- What is already there.
INSERT INTO ballot_turnout (ballot_id, constituency, shard, voted)
    SELECT ballot_id, constituency, 0, SUM(voted) FROM ballot_elector WHERE voted <> 0 GROUP BY ballot_id, constituency;
INSERT INTO ballot_turnout_hour (ballot_id, voted_hour, shard, voted)
    SELECT ballot_id, coalesce(voted_hour, '1970-01-01T00:00:00.0000000Z'), 0, SUM(voted) FROM ballot_elector WHERE voted <> 0 GROUP BY ballot_id, coalesce(voted_hour, '1970-01-01T00:00:00.0000000Z');
INSERT INTO mailing_tally (mailing_id, state, shard, n)
    SELECT mailing_id, state, 0, COUNT(*) FROM mailing_recipient GROUP BY mailing_id, state;

-- A page of the turnout table sorted by name walks this index (GetTurnout.Order).
CREATE INDEX ix_ballot_constituency_name ON ballot_constituency (ballot_id, lower(name), constituency);
