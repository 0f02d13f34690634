using System.Data.Common;
using Dapper;

namespace Ballot.Core.Ballots.Voting;

/// <summary>
/// On PostgreSQL a row carries the id of the transaction that wrote it (xmin) and sits where it was appended (ctid):
/// a paper written in its vote's transaction could be joined to the elector's claim. Papers are staged and moved into
/// ballot_paper in random order by other transactions. See docs/decisions/0210-mixing-papers-on-postgres.md.
/// </summary>
public static class PapersMixing
{
    /// <summary>Moves the staged papers of each ballot with at least @k staged, shuffled, in one statement.</summary>
    public const string MixSql = """
        WITH moved AS (
            DELETE FROM ballot_paper_staged
            WHERE ballot_id IN (SELECT ballot_id FROM ballot_paper_staged GROUP BY ballot_id HAVING COUNT(*) >= @k)
            RETURNING ballot_id, receipt, constituency, answers)
        INSERT INTO ballot_paper (ballot_id, receipt, constituency, answers)
        SELECT ballot_id, receipt, constituency, answers FROM moved ORDER BY random()
        """;

    /// <summary>
    /// At close, inside the closing transaction: every staged paper of the ballot joins ballot_paper, and all the
    /// ballot's papers are rewritten in random order, so neither their xmin (now the close's) nor their heap order says
    /// anything about when each was cast.
    /// </summary>
    public const string FlushAndShuffleSql = """
        WITH staged AS (
            DELETE FROM ballot_paper_staged WHERE ballot_id = @ballotId RETURNING ballot_id, receipt, constituency, answers),
        mixed AS (
            DELETE FROM ballot_paper WHERE ballot_id = @ballotId RETURNING ballot_id, receipt, constituency, answers)
        INSERT INTO ballot_paper (ballot_id, receipt, constituency, answers)
        SELECT ballot_id, receipt, constituency, answers FROM (SELECT * FROM staged UNION ALL SELECT * FROM mixed) AS p
        ORDER BY random()
        """;

    /// <summary>VACUUM cannot run in a transaction: call it on a connection with none open.</summary>
    public static async Task VacuumAsync(DbConnection conn, params string[] tables)
    {
        foreach (var table in tables)
        {
            await using var cmd = conn.CreateCommand();
            cmd.CommandText = $"VACUUM {table}";
            await cmd.ExecuteNonQueryAsync();
        }
    }
}
