using System.Data.Common;
using Ballot.Core.Data;
using Dapper;
using Microsoft.Data.Sqlite;

namespace Ballot.Core.Ballots.Voting;

/// <summary>
/// Where cast papers are written and how they are read back for the count: one class per engine (ADR 0002). SQLite
/// writes each paper into ballot_paper and counts in one pass over its bytes (<see cref="PaperScan"/>); PostgreSQL
/// stages each paper and mixes it into ballot_paper from another transaction (<see cref="PapersMixing"/>, ADR 0210).
/// </summary>
public abstract class BallotPapers
{
    /// <summary>The table a paper is written to in its vote's transaction.</summary>
    public abstract string NewPaperTable { get; }

    /// <summary>After a commit that wrote papers, on a connection with no transaction open: moves staged papers on.</summary>
    public abstract Task MixAsync(DbConnection conn, int atLeast);

    /// <summary>At close, inside the closing transaction: every paper of the ballot in ballot_paper, none left staged.</summary>
    public abstract Task FlushAndShuffleAsync(DbConnection conn, DbTransaction tx, long ballotId);

    /// <summary>After the closing transaction committed, on a connection with none open.</summary>
    public abstract Task AfterCloseAsync(DbConnection conn);

    /// <summary>How many papers of each constituency carry each set of answers; how many receipts, and their hash.</summary>
    internal abstract Task<PaperScan.Result> CountAsync(DbConnection conn, DbTransaction? tx, long ballotId);
}

internal sealed class SqliteBallotPapers : BallotPapers
{
    public override string NewPaperTable => "ballot_paper";
    public override Task MixAsync(DbConnection conn, int atLeast) => Task.CompletedTask;
    public override Task FlushAndShuffleAsync(DbConnection conn, DbTransaction tx, long ballotId) => Task.CompletedTask;
    public override Task AfterCloseAsync(DbConnection conn) => Task.CompletedTask;

    internal override Task<PaperScan.Result> CountAsync(DbConnection conn, DbTransaction? tx, long ballotId) =>
        Task.FromResult(PaperScan.Run((SqliteConnection)conn, ballotId));
}

internal sealed class PostgresBallotPapers : BallotPapers
{
    public override string NewPaperTable => "ballot_paper_staged";

    public override async Task MixAsync(DbConnection conn, int atLeast)
    {
        await using var cmd = conn.CreateCommand();
        cmd.CommandText = PapersMixing.MixSql;
        cmd.AddParameter("k", atLeast);
        if (await cmd.ExecuteNonQueryAsync() > 0) await PapersMixing.VacuumAsync(conn, "ballot_paper_staged");
    }

    public override Task FlushAndShuffleAsync(DbConnection conn, DbTransaction tx, long ballotId) =>
        conn.ExecuteAsync(PapersMixing.FlushAndShuffleSql, new { ballotId }, tx);

    public override Task AfterCloseAsync(DbConnection conn) => PapersMixing.VacuumAsync(conn, "ballot_paper_staged", "ballot_paper");

    internal override async Task<PaperScan.Result> CountAsync(DbConnection conn, DbTransaction? tx, long ballotId)
    {
        var groups = (await conn.QueryAsync<Tally.Group>("""
            SELECT constituency, answers, COUNT(*) AS n FROM ballot_paper WHERE ballot_id = @id GROUP BY constituency, answers
            """, new { id = ballotId }, tx)).ToList();
        var (receipts, hash) = await Tally.HashReceiptsAsync(conn, tx, ballotId);
        return new PaperScan.Result(groups, receipts, hash);
    }
}
