using System.Data;
using System.Data.Common;
using System.Threading.Channels;
using Ballot.Core.Data;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Ballot.Core.Ballots;

public enum VoteOutcome { Recorded, AlreadyVoted, NotOpen }

/// <summary>
/// Group commit: one writer takes every vote waiting, records them all in one durable transaction, and only then
/// answers each. Each vote keeps its own outcome: a credential already used in the batch is refused on its own while
/// the others commit. If the commit fails, every vote in the batch fails and none was acknowledged.
/// See docs/decisions/0202-group-commit-votes.md.
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
            try
            {
                session ??= await Session.OpenAsync(_db);
                var outcomes = await session.WriteAsync(batch, _clock.GetUtcNow());
                for (var i = 0; i < batch.Count; i++) batch[i].Done.TrySetResult(outcomes[i]);
                // SQLite: the WAL is copied into the database file here, after the batch is answered, never inside a
                // commit that votes are waiting for; the votes arriving meanwhile make the next batch larger.
                if (_db.Engine == Engine.Sqlite) await CheckpointAsync(session, outcomes.Count(o => o.Item1 == VoteOutcome.Recorded));
                if (_db.Engine == Engine.Postgres && outcomes.Any(o => o.Item1 == VoteOutcome.Recorded))
                    await MixAsync();
            }
            catch (Exception ex)
            {
                _log.LogError(ex, "A batch of {Count} votes failed to commit; none was acknowledged", batch.Count);
                foreach (var v in batch) v.Done.TrySetException(ex);
                if (session is not null) await session.DisposeAsync();
                session = null;
            }
        }
        if (session is not null) await session.DisposeAsync();
    }

    private async Task CheckpointAsync(Session session, int recorded)
    {
        try
        {
            await session.CheckpointIfDueAsync(recorded, _checkpointEvery);
        }
        catch (Exception ex)
        {
            // Votes are committed and answered; a checkpoint that fails leaves a longer WAL, and the next one retries.
            _log.LogWarning(ex, "Checkpointing the WAL after a batch of votes failed");
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
            var k = cmd.CreateParameter();
            k.ParameterName = "k";
            k.Value = _mixAtLeast;
            cmd.Parameters.Add(k);
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

        private Session(Db db, DbConnection conn)
        {
            _db = db;
            _conn = conn;
        }

        public static async Task<Session> OpenAsync(Db db)
        {
            var conn = await db.OpenOwnAsync();
            if (db.Engine == Engine.Sqlite)
            {
                // 16 MB of page cache: more only costs more at every commit (SQLite walks the cache's hash table when a
                // transaction ends) without saving reads the operating system's cache does not already save.
                await using var pragma = conn.CreateCommand();
                // No checkpoint inside a commit: it would copy the WAL into the database file, and fsync that file, while
                // the batch's votes wait for their answer. See CheckpointIfDueAsync.
                pragma.CommandText = "PRAGMA cache_size = -16384; PRAGMA wal_autocheckpoint = 0;";
                await pragma.ExecuteNonQueryAsync();
            }
            return new Session(db, conn);
        }

        private int _sinceCheckpoint;

        /// <summary>
        /// Runs a PASSIVE checkpoint once enough votes have gone into the WAL since the last one. Passive never waits
        /// for readers; as this connection is the only vote writer, it usually copies every frame, and the next commit
        /// then starts the WAL again from its beginning. Coalescing many commits into one checkpoint writes each hot
        /// page of the electorate and the papers once, not once per commit.
        /// </summary>
        public async Task CheckpointIfDueAsync(int recorded, int every)
        {
            _sinceCheckpoint += recorded;
            if (_sinceCheckpoint < every) return;
            _sinceCheckpoint = 0;
            await using var cmd = _conn.CreateCommand();
            cmd.CommandText = "PRAGMA wal_checkpoint(PASSIVE)";
            await cmd.ExecuteNonQueryAsync();
        }

        public async Task<(VoteOutcome, string?)[]> WriteAsync(List<Pending> batch, DateTimeOffset now)
        {
            var hour = new DateTimeOffset(now.Year, now.Month, now.Day, now.Hour, 0, 0, TimeSpan.Zero);
            var outcomes = new (VoteOutcome, string?)[batch.Count];
            await using var tx = await _db.BeginWriteAsync(_conn);

            // Which ballots are open, holding a share lock on PostgreSQL so closing (which updates the row) waits
            // for this batch and counts every vote it acknowledged.
            var open = new HashSet<long>();
            foreach (var ballotId in batch.Select(v => v.BallotId).Distinct())
            {
                await using var check = Command(tx, $"""
                    SELECT id FROM ballot WHERE id = @b AND status = 'open' AND opens_at <= @now AND closes_at > @now {(_db.Engine == Engine.Postgres ? "FOR SHARE" : "")}
                    """);
                Add(check, "b", ballotId);
                Add(check, "now", now);
                if (await check.ExecuteScalarAsync() is not null) open.Add(ballotId);
            }

            if (_conn is Npgsql.NpgsqlConnection pg)
            {
                await WritePostgresAsync(pg, (Npgsql.NpgsqlTransaction)tx, batch, open, hour, outcomes);
                await tx.CommitAsync();
                return outcomes;
            }

            WriteSqlite(tx, batch, open, hour, outcomes);
            tx.Commit();
            return outcomes;
        }

        /// <summary>
        /// SQLite: one claim and one paper per vote, each statement prepared once per batch and run synchronously (the
        /// library's async calls run synchronously too, at the cost of a task each). The claim's row count decides:
        /// exactly one of any number of votes with a credential, in this batch or any other, sees 1.
        /// </summary>
        private void WriteSqlite(DbTransaction tx, List<Pending> batch, HashSet<long> open, DateTimeOffset hour, (VoteOutcome, string?)[] outcomes)
        {
            using var claim = Command(tx, """
                UPDATE ballot_elector SET voted = 1, voted_hour = @hour
                WHERE ballot_id = @b AND member_id = @m AND credential_hash = @h AND voted = 0
                """);
            var ch = Add(claim, "h", "");
            var cb = Add(claim, "b", 0L);
            var cm = Add(claim, "m", 0L);
            Add(claim, "hour", hour);
            using var paper = Command(tx, """
                INSERT INTO ballot_paper (ballot_id, receipt, constituency, answers) VALUES (@b, @r, @c, @a)
                """);
            var pb = Add(paper, "b", 0L);
            var pr = Add(paper, "r", "");
            var pc = Add(paper, "c", "");
            var pa = Add(paper, "a", "");
            for (var i = 0; i < batch.Count; i++)
            {
                var v = batch[i];
                if (!open.Contains(v.BallotId)) { outcomes[i] = (VoteOutcome.NotOpen, null); continue; }
                ch.Value = v.CredentialHash;
                cb.Value = v.BallotId;
                cm.Value = v.MemberId;
                if (claim.ExecuteNonQuery() != 1) { outcomes[i] = (VoteOutcome.AlreadyVoted, null); continue; }
                var receipt = Receipts.New();
                pb.Value = v.BallotId;
                pr.Value = receipt;
                pc.Value = v.Constituency;
                pa.Value = v.Answers;
                paper.ExecuteNonQuery();
                outcomes[i] = (VoteOutcome.Recorded, receipt);
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

        private DbCommand Command(DbTransaction tx, string sql)
        {
            var cmd = _conn.CreateCommand();
            cmd.Transaction = tx;
            cmd.CommandText = sql;
            return cmd;
        }

        private static DbParameter Add(DbCommand cmd, string name, object value)
        {
            var p = cmd.CreateParameter();
            p.ParameterName = name;
            if (value is DateTimeOffset t) DapperSetup.Set(p, t);
            else p.Value = value;
            cmd.Parameters.Add(p);
            return p;
        }

        public async ValueTask DisposeAsync() => await _conn.DisposeAsync();
    }
}
