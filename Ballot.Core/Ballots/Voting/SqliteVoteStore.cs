using System.Data.Common;
using Ballot.Core.Data;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.Logging;

namespace Ballot.Core.Ballots.Voting;

/// <summary>
/// SQLite: which ballots are open, then one claim and one sealed paper per vote, on the writer's own connection with its
/// three statements prepared once and run synchronously (the library's async calls run synchronously too, at the cost
/// of a task each). The claim's row count decides: exactly one of any number of votes with a credential, in this batch
/// or any other, sees 1. SQLite's write lock, held from BEGIN IMMEDIATE, makes closing wait for the batch. The commit
/// does not wait for the disk: <see cref="WalPipeline"/> syncs the WAL and only then answers the batch's votes, while
/// this store goes on with the next batch (ADR 0213). The batch's won papers are added to this store's running sums
/// (ADR 0907), whose touched rows are written in the same transaction and become the store's own only once it commits.
/// </summary>
internal sealed class SqliteVoteStore : IVoteStore
{
    private readonly Db _db;
    private readonly DbConnection _conn;
    private readonly WalPipeline _pipeline;
    private readonly ILogger _log;
    private readonly int _checkpointEvery;
    private int _sinceCheckpoint;
    private readonly DbCommand _open, _claim, _paper, _sum;
    private readonly DbParameter _openId, _openNow, _claimHash, _claimBallot, _claimMember, _claimHour;
    private readonly DbParameter _paperBallot, _paperTracker, _paperConstituency, _paperSealed;
    private readonly DbParameter _sumBallot, _sumConstituency, _sumPapers, _sumCiphertexts;
    private readonly RunningSums _sums = new();

    private SqliteVoteStore(Db db, DbConnection conn, WalPipeline pipeline, BallotOptions options, ILogger log)
    {
        _db = db;
        _conn = conn;
        _pipeline = pipeline;
        _log = log;
        _checkpointEvery = options.CheckpointEveryVotes;
        _open = conn.CreateCommand();
        _open.CommandText = "SELECT id FROM ballot WHERE id = @b AND status = 'open' AND opens_at <= @now AND closes_at > @now";
        _openId = _open.AddParameter("b");
        _openNow = _open.AddParameter("now");
        _claim = conn.CreateCommand();
        _claim.CommandText = """
            UPDATE ballot_elector SET voted = 1, voted_hour = @hour
            WHERE ballot_id = @b AND member_id = @m AND credential_hash = @h AND voted = 0
            """;
        _claimHash = _claim.AddParameter("h");
        _claimBallot = _claim.AddParameter("b");
        _claimMember = _claim.AddParameter("m");
        _claimHour = _claim.AddParameter("hour");
        _paper = conn.CreateCommand();
        _paper.CommandText = "INSERT INTO ballot_paper (ballot_id, tracker, constituency, sealed) VALUES (@b, @t, @c, @s)";
        _paperBallot = _paper.AddParameter("b");
        _paperTracker = _paper.AddParameter("t");
        _paperConstituency = _paper.AddParameter("c");
        _paperSealed = _paper.AddParameter("s");
        _sum = conn.CreateCommand();
        _sum.CommandText = RunningSums.UpsertSql;
        _sumBallot = _sum.AddParameter("b");
        _sum.AddParameter("w").Value = _sums.Writer;
        _sumConstituency = _sum.AddParameter("c");
        _sumPapers = _sum.AddParameter("n");
        _sumCiphertexts = _sum.AddParameter("s");
    }

    public static async Task<IVoteStore> OpenAsync(Db db, BallotOptions options, ILogger log)
    {
        var conn = await db.OpenOwnAsync();
        try
        {
            await using (var pragma = conn.CreateCommand())
            {
                // 2 MB of page cache holds the trees' inner pages; SQLite walks the cache's hash table when a
                // transaction ends, so more costs at every commit. No checkpoint inside a commit, and no fsync
                // either: WalPipeline syncs the WAL before any vote is answered and copies it into the database
                // file beside this thread. The read opens (or creates) the WAL file the pipeline syncs.
                pragma.CommandText = """
                    PRAGMA cache_size = -2048; PRAGMA wal_autocheckpoint = 0; PRAGMA synchronous = NORMAL;
                    SELECT COUNT(*) FROM sqlite_master;
                    """;
                await pragma.ExecuteScalarAsync();
            }
            return new SqliteVoteStore(db, conn, new WalPipeline(db, ((SqliteConnection)conn).DataSource, log), options, log);
        }
        catch
        {
            await conn.DisposeAsync();
            throw;
        }
    }

    public async Task WriteAsync(IReadOnlyList<PendingVote> batch, DateTimeOffset now)
    {
        var results = new VoteResult[batch.Count];
        var sums = _sums.Begin();
        await using (var tx = await _db.BeginWriteAsync(_conn))
        {
            Write(tx, batch, now, results, sums);
            tx.Commit();
        }
        sums.Committed();
        _pipeline.Acknowledge([.. batch], results);
        AfterBatch(results.Count(r => r.Outcome == VoteOutcome.Recorded));
    }

    private void Write(DbTransaction tx, IReadOnlyList<PendingVote> batch, DateTimeOffset now, VoteResult[] results, RunningSums.Batch sums)
    {
        _open.Transaction = _claim.Transaction = _paper.Transaction = _sum.Transaction = tx;
        DapperSetup.Set(_openNow, now);
        DapperSetup.Set(_claimHour, VotedHour(now));
        long lastBallot = 0;
        var lastOpen = false;
        for (var i = 0; i < batch.Count; i++)
        {
            var v = batch[i].Vote;
            if (v.BallotId != lastBallot)
            {
                _openId.Value = lastBallot = v.BallotId;
                lastOpen = _open.ExecuteScalar() is not null;
                if (!lastOpen) _sums.Forget(v.BallotId);
            }
            if (!lastOpen) { results[i] = VoteResult.NotOpen; continue; }
            _claimHash.Value = v.CredentialHash;
            _claimBallot.Value = v.BallotId;
            _claimMember.Value = v.MemberId;
            if (_claim.ExecuteNonQuery() != 1) { results[i] = VoteResult.AlreadyVoted; continue; }
            _paperBallot.Value = v.BallotId;
            _paperTracker.Value = v.Paper.Tracker;
            _paperConstituency.Value = v.Constituency;
            _paperSealed.Value = v.Paper.Sealed;
            _paper.ExecuteNonQuery();
            sums.Add(v.BallotId, v.Constituency, v.Paper);
            results[i] = VoteResult.Recorded(v.Paper.Tracker);
        }
        foreach (var row in sums.Rows())
        {
            _sumBallot.Value = row.BallotId;
            _sumConstituency.Value = row.Constituency;
            _sumPapers.Value = row.Papers;
            _sumCiphertexts.Value = row.Ciphertexts;
            _sum.ExecuteNonQuery();
        }
    }

    /// <summary>The time a member voted is kept only to the hour (design.md, secrecy).</summary>
    public static DateTimeOffset VotedHour(DateTimeOffset now) => new(now.Year, now.Month, now.Day, now.Hour, 0, 0, TimeSpan.Zero);

    /// <summary>
    /// Starts a checkpoint beside the writer once enough votes have gone into the WAL since the last one, and finishes
    /// one that is done. Coalescing many commits into one checkpoint writes each hot page of the electorate and the
    /// papers once, not once per commit; a short WAL keeps page lookups cheap.
    /// </summary>
    private void AfterBatch(int recorded)
    {
        _sinceCheckpoint += recorded;
        if (_sinceCheckpoint >= _checkpointEvery && _pipeline.StartCheckpoint()) _sinceCheckpoint = 0;
        try
        {
            _pipeline.CatchUpIfDue(_conn);
        }
        catch (Exception ex)
        {
            // The batch is committed and on its way to be answered; a copy that fails leaves a longer WAL, and the
            // next checkpoint retries.
            _log.LogWarning(ex, "Checkpointing the WAL after a batch of votes failed");
        }
    }

    public async ValueTask DisposeAsync()
    {
        _pipeline.Dispose();
        _open.Dispose();
        _claim.Dispose();
        _paper.Dispose();
        _sum.Dispose();
        await _conn.DisposeAsync();
    }
}
