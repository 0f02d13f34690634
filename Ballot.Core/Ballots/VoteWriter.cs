using System.Data;
using System.Data.Common;
using System.Threading.Channels;
using Ballot.Core.Data;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Ballot.Core.Ballots;

public enum VoteOutcome { Recorded, AlreadyVoted, NotOpen }

/// <summary>
/// Group commit: one writer takes every vote waiting, records them all in one transaction, and answers each only once
/// that transaction is durable (on SQLite, once <see cref="WalPipeline"/> has synced the WAL, while the writer goes on
/// with the next batch). Each vote keeps its own outcome: a credential already used in the batch is refused on its own
/// while the others commit. If the commit fails, every vote in the batch fails and none was recorded; if the sync of a
/// committed batch fails, the process stops (see <see cref="WalPipeline"/>).
/// See docs/decisions/0202-group-commit-votes.md and 0213-vote-wal-pipeline.md.
/// </summary>
public sealed class VoteWriter : IAsyncDisposable
{
    public sealed record Pending(long BallotId, long MemberId, string CredentialHash, string Constituency, string Answers)
    {
        internal readonly TaskCompletionSource<(VoteOutcome Outcome, string? Receipt)> Done =
            new(TaskCreationOptions.RunContinuationsAsynchronously);
    }

    private readonly Channel<Pending> _queue = Channel.CreateUnbounded<Pending>(new UnboundedChannelOptions { SingleReader = true });
    private readonly Db _db;
    private readonly TimeProvider _clock;
    private readonly ILogger<VoteWriter> _log;
    private readonly int _max;
    private readonly int _mixAtLeast;
    private readonly Lazy<Task> _loop;
    private readonly int _checkpointEvery;

    public VoteWriter(Db db, TimeProvider clock, IOptions<BallotOptions> options, ILogger<VoteWriter> log)
    {
        _db = db;
        _clock = clock;
        _log = log;
        _max = options.Value.MaxVotesPerCommit;
        _mixAtLeast = options.Value.MixPapersAtLeast;
        _loop = new Lazy<Task>(() => Task.Run(RunAsync));
        _checkpointEvery = options.Value.CheckpointEveryVotes;
    }

    public Task<(VoteOutcome Outcome, string? Receipt)> SubmitAsync(Pending vote)
    {
        _ = _loop.Value;
        if (!_queue.Writer.TryWrite(vote)) throw new InvalidOperationException("The vote writer has stopped.");
        return vote.Done.Task;
    }

    private async Task RunAsync()
    {
        var batch = new List<Pending>(_max);
        Session? session = null;
        while (await _queue.Reader.WaitToReadAsync())
        {
            batch.Clear();
            while (batch.Count < _max && _queue.Reader.TryRead(out var v)) batch.Add(v);
            if (batch.Count == 0) continue;
            (VoteOutcome, string?)[] outcomes;
            try
            {
                session ??= await Session.OpenAsync(_db, _log);
                outcomes = await session.WriteAsync(batch, _clock.GetUtcNow());
            }
            catch (Exception ex)
            {
                // Nothing of the batch was committed and no vote of it was answered.
                _log.LogError(ex, "A batch of {Count} votes failed to commit; none was recorded", batch.Count);
                foreach (var v in batch) v.Done.TrySetException(ex);
                if (session is not null) await DisposeQuietlyAsync(session);
                session = null;
                continue;
            }
            if (session.Pipeline is { } pipeline)
            {
                // SQLite: answered once the WAL is synced, on the pipeline's thread, while this one goes on.
                pipeline.Acknowledge(batch.ToArray(), outcomes);
                session.AfterBatch(outcomes.Count(o => o.Item1 == VoteOutcome.Recorded), _checkpointEvery);
            }
            else
            {
                for (var i = 0; i < batch.Count; i++) batch[i].Done.TrySetResult(outcomes[i]);
                if (outcomes.Any(o => o.Item1 == VoteOutcome.Recorded)) await MixAsync();
            }
        }
        if (session is not null) await session.DisposeAsync();
    }

    private async Task DisposeQuietlyAsync(Session session)
    {
        try
        {
            await session.DisposeAsync();
        }
        catch (Exception ex)
        {
            _log.LogWarning(ex, "Closing the vote writer's connection after a failed batch failed");
        }
    }

    /// <summary>
    /// PostgreSQL only: moves the staged papers of every ballot with at least <see cref="BallotOptions.MixPapersAtLeast"/>
    /// of them into ballot_paper, in random order, in a transaction of its own, then vacuums the staging table so the
    /// dead staged rows (which carried the vote transactions' xmin) are gone from its pages. Votes are already
    /// acknowledged and durable in the staging table, so a failure here is logged and retried after the next batch.
    /// </summary>
    private async Task MixAsync()
    {
        try
        {
            await using var conn = await _db.OpenAsync();
            await using var cmd = conn.CreateCommand();
            cmd.CommandText = PapersMixing.MixSql;
            cmd.AddParameter("k", _mixAtLeast);
            if (await cmd.ExecuteNonQueryAsync() > 0) await PapersMixing.VacuumAsync(conn, "ballot_paper_staged");
        }
        catch (Exception ex)
        {
            _log.LogWarning(ex, "Mixing staged ballot papers failed; they stay staged until the next batch or the close");
        }
    }

    public async ValueTask DisposeAsync()
    {
        _queue.Writer.TryComplete();
        if (_loop.IsValueCreated) await _loop.Value;
    }

    /// <summary>The writer's own connection and prepared statements, reused batch after batch.</summary>
    private sealed class Session : IAsyncDisposable
    {
        private readonly Db _db;
        private readonly DbConnection _conn;

        private readonly ILogger _log;

        private Session(Db db, DbConnection conn, WalPipeline? pipeline, ILogger log)
        {
            _log = log;
            _db = db;
            _conn = conn;
            Pipeline = pipeline;
        }

        /// <summary>SQLite: where each committed batch goes to be synced and answered.</summary>
        public WalPipeline? Pipeline { get; }

        public static async Task<Session> OpenAsync(Db db, ILogger log)
        {
            var conn = await db.OpenOwnAsync();
            if (conn is not SqliteConnection sqlite) return new Session(db, conn, null, log);
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
                return new Session(db, conn, new WalPipeline(db, sqlite.DataSource, log), log);
            }
            catch
            {
                await conn.DisposeAsync();
                throw;
            }
        }

        private int _sinceCheckpoint;

        /// <summary>
        /// Starts a checkpoint beside the writer once enough votes have gone into the WAL since the last one, and
        /// finishes one that is done. Coalescing many commits into one checkpoint writes each hot page of the
        /// electorate and the papers once, not once per commit; a short WAL keeps page lookups cheap.
        /// </summary>
        public void AfterBatch(int recorded, int every)
        {
            _sinceCheckpoint += recorded;
            if (_sinceCheckpoint >= every && Pipeline!.StartCheckpoint()) _sinceCheckpoint = 0;
            try
            {
                Pipeline!.CatchUpIfDue(_conn);
            }
            catch (Exception ex)
            {
                // The batch is committed and on its way to be answered; a copy that fails leaves a longer WAL, and the
                // next checkpoint retries.
                _log.LogWarning(ex, "Checkpointing the WAL after a batch of votes failed");
            }
        }

        public async Task<(VoteOutcome, string?)[]> WriteAsync(List<Pending> batch, DateTimeOffset now)
        {
            var hour = new DateTimeOffset(now.Year, now.Month, now.Day, now.Hour, 0, 0, TimeSpan.Zero);
            var outcomes = new (VoteOutcome, string?)[batch.Count];
            await using var tx = await _db.BeginWriteAsync(_conn);
            if (_conn is Npgsql.NpgsqlConnection pg)
            {
                var open = new HashSet<long>();
                foreach (var ballotId in batch.Select(v => v.BallotId).Distinct())
                {
                    // FOR SHARE: closing (which updates the row) waits for this batch and counts every vote it acknowledged.
                    await using var check = new Npgsql.NpgsqlCommand(
                        "SELECT id FROM ballot WHERE id = $1 AND status = 'open' AND opens_at <= $2 AND closes_at > $2 FOR SHARE", pg, (Npgsql.NpgsqlTransaction)tx);
                    check.Parameters.Add(new Npgsql.NpgsqlParameter { Value = ballotId });
                    check.Parameters.Add(new Npgsql.NpgsqlParameter { Value = now.ToUniversalTime() });
                    if (await check.ExecuteScalarAsync() is not null) open.Add(ballotId);
                }
                await WritePostgresAsync(pg, (Npgsql.NpgsqlTransaction)tx, batch, open, hour, outcomes);
                await tx.CommitAsync();
                return outcomes;
            }
            _sqlite ??= new SqliteStatements(_conn);
            _sqlite.Write(tx, batch, now, hour, outcomes);
            tx.Commit();
            return outcomes;
        }

        private SqliteStatements? _sqlite;

        /// <summary>
        /// SQLite: which ballots are open, then one claim and one paper per vote. The three statements are prepared once
        /// for the writer's connection and run synchronously (the library's async calls run synchronously too, at the
        /// cost of a task each). The claim's row count decides: exactly one of any number of votes with a credential,
        /// in this batch or any other, sees 1. SQLite's write lock, held from BEGIN IMMEDIATE, makes closing wait for
        /// the batch.
        /// </summary>
        private sealed class SqliteStatements
        {
            private readonly DbCommand _open, _claim, _paper;
            private readonly DbParameter _openId, _openNow, _claimHash, _claimBallot, _claimMember, _claimHour;
            private readonly DbParameter _paperBallot, _paperReceipt, _paperConstituency, _paperAnswers;

            public SqliteStatements(DbConnection conn)
            {
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
                _paper.CommandText = "INSERT INTO ballot_paper (ballot_id, receipt, constituency, answers) VALUES (@b, @r, @c, @a)";
                _paperBallot = _paper.AddParameter("b");
                _paperReceipt = _paper.AddParameter("r");
                _paperConstituency = _paper.AddParameter("c");
                _paperAnswers = _paper.AddParameter("a");
            }

            public void Write(DbTransaction tx, List<Pending> batch, DateTimeOffset now, DateTimeOffset hour, (VoteOutcome, string?)[] outcomes)
            {
                _open.Transaction = _claim.Transaction = _paper.Transaction = tx;
                DapperSetup.Set(_openNow, now);
                DapperSetup.Set(_claimHour, hour);
                long lastBallot = 0;
                var lastOpen = false;
                for (var i = 0; i < batch.Count; i++)
                {
                    var v = batch[i];
                    if (v.BallotId != lastBallot)
                    {
                        _openId.Value = lastBallot = v.BallotId;
                        lastOpen = _open.ExecuteScalar() is not null;
                    }
                    if (!lastOpen) { outcomes[i] = (VoteOutcome.NotOpen, null); continue; }
                    _claimHash.Value = v.CredentialHash;
                    _claimBallot.Value = v.BallotId;
                    _claimMember.Value = v.MemberId;
                    if (_claim.ExecuteNonQuery() != 1) { outcomes[i] = (VoteOutcome.AlreadyVoted, null); continue; }
                    var receipt = Receipts.New();
                    _paperBallot.Value = v.BallotId;
                    _paperReceipt.Value = receipt;
                    _paperConstituency.Value = v.Constituency;
                    _paperAnswers.Value = v.Answers;
                    _paper.ExecuteNonQuery();
                    outcomes[i] = (VoteOutcome.Recorded, receipt);
                }
            }

            public void Dispose()
            {
                _open.Dispose();
                _claim.Dispose();
                _paper.Dispose();
            }
        }

        /// <summary>
        /// PostgreSQL: every claim of the batch in one round trip, then every paper (staged, see MixAsync) in another. Each claim keeps its own
        /// row count, and claims run in order, so a credential repeated within the batch is claimed once.
        /// </summary>
        private static async Task WritePostgresAsync(Npgsql.NpgsqlConnection pg, Npgsql.NpgsqlTransaction tx, List<Pending> batch,
            HashSet<long> open, DateTimeOffset hour, (VoteOutcome, string?)[] outcomes)
        {
            var tried = new List<int>();
            await using var claims = new Npgsql.NpgsqlBatch(pg, tx);
            for (var i = 0; i < batch.Count; i++)
            {
                if (!open.Contains(batch[i].BallotId)) { outcomes[i] = (VoteOutcome.NotOpen, null); continue; }
                var c = new Npgsql.NpgsqlBatchCommand("UPDATE ballot_elector SET voted = 1, voted_hour = $1 WHERE ballot_id = $3 AND member_id = $4 AND credential_hash = $2 AND voted = 0");
                c.Parameters.Add(new Npgsql.NpgsqlParameter { Value = hour.ToUniversalTime() });
                c.Parameters.Add(new Npgsql.NpgsqlParameter { Value = batch[i].CredentialHash });
                c.Parameters.Add(new Npgsql.NpgsqlParameter { Value = batch[i].BallotId });
                c.Parameters.Add(new Npgsql.NpgsqlParameter { Value = batch[i].MemberId });
                claims.BatchCommands.Add(c);
                tried.Add(i);
            }
            if (tried.Count == 0) return;
            await claims.ExecuteNonQueryAsync();
            await using var papers = new Npgsql.NpgsqlBatch(pg, tx);
            for (var k = 0; k < tried.Count; k++)
            {
                var i = tried[k];
                if (claims.BatchCommands[k].RecordsAffected != 1) { outcomes[i] = (VoteOutcome.AlreadyVoted, null); continue; }
                var receipt = Receipts.New();
                var c = new Npgsql.NpgsqlBatchCommand("INSERT INTO ballot_paper_staged (ballot_id, receipt, constituency, answers) VALUES ($1, $2, $3, $4)");
                c.Parameters.Add(new Npgsql.NpgsqlParameter { Value = batch[i].BallotId });
                c.Parameters.Add(new Npgsql.NpgsqlParameter { Value = receipt });
                c.Parameters.Add(new Npgsql.NpgsqlParameter { Value = batch[i].Constituency });
                c.Parameters.Add(new Npgsql.NpgsqlParameter { Value = batch[i].Answers });
                papers.BatchCommands.Add(c);
                outcomes[i] = (VoteOutcome.Recorded, receipt);
            }
            if (papers.BatchCommands.Count > 0) await papers.ExecuteNonQueryAsync();
        }

        public async ValueTask DisposeAsync()
        {
            Pipeline?.Dispose();
            _sqlite?.Dispose();
            await _conn.DisposeAsync();
        }
    }
}
