-- SQLite writes papers straight to ballot_paper (WITHOUT ROWID, keyed by random receipt: storage order never follows
-- voting order, and SQLite keeps no transaction id on a row). The view exists so the same queries run on both engines.
-- See docs/decisions/0210-mixing-papers-on-postgres.md.
CREATE VIEW ballot_paper_cast AS
    SELECT ballot_id, receipt, constituency, answers FROM ballot_paper;
