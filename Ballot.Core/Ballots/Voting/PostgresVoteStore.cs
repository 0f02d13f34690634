using Ballot.Core.Data;
using Microsoft.Extensions.Logging;
using Npgsql;
using NpgsqlTypes;

namespace Ballot.Core.Ballots.Voting;

/// <summary>
/// PostgreSQL: a whole batch in one prepared statement over arrays (<c>unnest</c>), one round trip and one commit with
/// <c>synchronous_commit</c> on: it locks the batch's open ballots <c>FOR SHARE</c> (closing waits for the batch and
/// counts every vote it acknowledged), claims every credential not used yet, and stages the papers of the claims it
/// won. Papers are staged, not written to ballot_paper, and mixed later by other transactions (ADR 0210).
/// </summary>
internal sealed class PostgresVoteStore : IVoteStore
{
    private const string RecordSql = """
        WITH open AS (
            SELECT id FROM ballot WHERE id = ANY(@ballots) AND status = 'open' AND opens_at <= @now AND closes_at > @now FOR SHARE),
        vote AS (
            SELECT * FROM unnest(@i, @ballot, @member, @hash, @receipt, @constituency, @answers)
                AS v (i, ballot_id, member_id, credential_hash, receipt, constituency, answers)
            WHERE ballot_id IN (SELECT id FROM open)),
        claimed AS (
            UPDATE ballot_elector e SET voted = 1, voted_hour = @hour
            FROM vote v
            WHERE e.ballot_id = v.ballot_id AND e.member_id = v.member_id AND e.credential_hash = v.credential_hash AND e.voted = 0
            RETURNING v.i, v.ballot_id, v.receipt, v.constituency, v.answers),
        staged AS (
            INSERT INTO ballot_paper_staged (ballot_id, receipt, constituency, answers)
            SELECT ballot_id, receipt, constituency, answers FROM claimed)
        SELECT ARRAY(SELECT id FROM open), ARRAY(SELECT i FROM claimed)
        """;

    private readonly NpgsqlConnection _conn;
    private readonly NpgsqlCommand _record, _mix, _asyncCommit;
    private readonly StagingVacuum _vacuum;
    private readonly ILogger _log;

    private PostgresVoteStore(Db db, NpgsqlConnection conn, NpgsqlCommand record, NpgsqlCommand mix, ILogger log)
    {
        _conn = conn;
        _record = record;
        _mix = mix;
        _asyncCommit = new NpgsqlCommand("SET LOCAL synchronous_commit = off", conn);
        _vacuum = new StagingVacuum(db, log);
        _log = log;
    }

    public static async Task<IVoteStore> OpenAsync(Db db, BallotOptions options, ILogger log)
    {
        var conn = (NpgsqlConnection)await db.OpenOwnAsync();
        try
        {
            var cmd = new NpgsqlCommand(RecordSql, conn);
            cmd.Parameters.Add(new NpgsqlParameter("ballots", NpgsqlDbType.Array | NpgsqlDbType.Bigint));
            cmd.Parameters.Add(new NpgsqlParameter("now", NpgsqlDbType.TimestampTz));
            cmd.Parameters.Add(new NpgsqlParameter("i", NpgsqlDbType.Array | NpgsqlDbType.Integer));
            cmd.Parameters.Add(new NpgsqlParameter("ballot", NpgsqlDbType.Array | NpgsqlDbType.Bigint));
            cmd.Parameters.Add(new NpgsqlParameter("member", NpgsqlDbType.Array | NpgsqlDbType.Bigint));
            foreach (var name in (string[])["hash", "receipt", "constituency", "answers"])
                cmd.Parameters.Add(new NpgsqlParameter(name, NpgsqlDbType.Array | NpgsqlDbType.Text));
            cmd.Parameters.Add(new NpgsqlParameter("hour", NpgsqlDbType.TimestampTz));
            await cmd.PrepareAsync();
            var mix = new NpgsqlCommand(PapersMixing.MixSql.Replace("@k", "$1"), conn);
            mix.Parameters.Add(new NpgsqlParameter { NpgsqlDbType = NpgsqlDbType.Integer, Value = options.MixPapersAtLeast });
            await mix.PrepareAsync();
            return new PostgresVoteStore(db, conn, cmd, mix, log);
        }
        catch
        {
            await conn.DisposeAsync();
            throw;
        }
    }

    public async Task WriteAsync(IReadOnlyList<PendingVote> batch, DateTimeOffset now)
    {
        // A credential twice in one batch is sent once: its first vote is claimed or refused, the others are refused.
        var slotOf = new Dictionary<string, int>(batch.Count, StringComparer.Ordinal);
        var slot = new int[batch.Count];
        var sent = new List<int>(batch.Count);
        for (var i = 0; i < batch.Count; i++)
        {
            if (slotOf.TryGetValue(batch[i].Vote.CredentialHash, out slot[i])) slot[i] = ~slot[i];
            else
            {
                slot[i] = slotOf[batch[i].Vote.CredentialHash] = sent.Count;
                sent.Add(i);
            }
        }
        var receipts = sent.Select(_ => Receipts.New()).ToArray();
        var p = _record.Parameters;
        p["ballots"].Value = batch.Select(v => v.Vote.BallotId).Distinct().ToArray();
        p["now"].Value = now.UtcDateTime;
        p["i"].Value = Enumerable.Range(0, sent.Count).ToArray();
        p["ballot"].Value = sent.Select(i => batch[i].Vote.BallotId).ToArray();
        p["member"].Value = sent.Select(i => batch[i].Vote.MemberId).ToArray();
        p["hash"].Value = sent.Select(i => batch[i].Vote.CredentialHash).ToArray();
        p["receipt"].Value = receipts;
        p["constituency"].Value = sent.Select(i => batch[i].Vote.Constituency).ToArray();
        p["answers"].Value = sent.Select(i => batch[i].Vote.Answers).ToArray();
        p["hour"].Value = SqliteVoteStore.VotedHour(now).UtcDateTime;

        long[] open;
        int[] claimed;
        await using (var tx = await _conn.BeginTransactionAsync())
        {
            _record.Transaction = tx;
            await using (var r = await _record.ExecuteReaderAsync())
            {
                await r.ReadAsync();
                open = r.GetFieldValue<long[]>(0);
                claimed = r.GetFieldValue<int[]>(1);
            }
            await tx.CommitAsync();
        }

        var won = new HashSet<int>(claimed);
        var recorded = 0;
        for (var i = 0; i < batch.Count; i++)
        {
            // slot[i] < 0: a repeat of a credential sent earlier in this batch.
            var result = !open.Contains(batch[i].Vote.BallotId) ? VoteResult.NotOpen
                : slot[i] >= 0 && won.Contains(slot[i]) ? VoteResult.Recorded(receipts[slot[i]])
                : VoteResult.AlreadyVoted;
            if (result.Outcome == VoteOutcome.Recorded) recorded++;
            batch[i].Answer(result);
        }
        if (recorded > 0) await MixAsync();
    }

    /// <summary>
    /// Moves the staged papers of every ballot with at least <see cref="BallotOptions.MixPapersAtLeast"/> of them into
    /// ballot_paper, in random order, in a transaction of its own on this connection, before the next batch: so a group
    /// is never larger or smaller than the batches made it. Then the staging table is vacuumed beside the writer, so the
    /// dead staged rows (which carried the vote transactions' xmin) are gone from its pages. Votes are already
    /// acknowledged and durable in the staging table, so a failure here is logged and retried after the next batch.
    /// </summary>
    private async Task MixAsync()
    {
        try
        {
            // The mix need not wait for its commit to reach the disk: the votes it moves are durable in the staging
            // table, and after a crash either the whole move is there or none of it (the papers are still staged).
            // The next vote commit flushes it anyway. Vote transactions keep synchronous_commit on.
            await using var tx = await _conn.BeginTransactionAsync();
            _asyncCommit.Transaction = _mix.Transaction = tx;
            await _asyncCommit.ExecuteNonQueryAsync();
            var moved = await _mix.ExecuteNonQueryAsync();
            await tx.CommitAsync();
            if (moved > 0) _vacuum.Signal();
        }
        catch (Exception ex)
        {
            _log.LogWarning(ex, "Mixing staged ballot papers failed; they stay staged until the next batch or the close");
        }
    }

    public async ValueTask DisposeAsync()
    {
        await _vacuum.DisposeAsync();
        await _record.DisposeAsync();
        await _mix.DisposeAsync();
        await _asyncCommit.DisposeAsync();
        await _conn.DisposeAsync();
    }

    /// <summary>VACUUM of the staging table on a connection of its own, one at a time, at most one more waiting.</summary>
    private sealed class StagingVacuum : IAsyncDisposable
    {
        private readonly Db _db;
        private readonly ILogger _log;
        private readonly SemaphoreSlim _due = new(0, 1);
        private readonly CancellationTokenSource _stop = new();
        private readonly Task _loop;

        public StagingVacuum(Db db, ILogger log)
        {
            _db = db;
            _log = log;
            _loop = Task.Run(RunAsync);
        }

        public void Signal()
        {
            if (_due.CurrentCount == 0) try { _due.Release(); } catch (SemaphoreFullException) { /* one is already due */ }
        }

        private async Task RunAsync()
        {
            while (!_stop.IsCancellationRequested)
            {
                try
                {
                    await _due.WaitAsync(_stop.Token);
                    await using var conn = await _db.OpenAsync();
                    await PapersMixing.VacuumAsync(conn, "ballot_paper_staged");
                }
                catch (OperationCanceledException)
                {
                }
                catch (Exception ex)
                {
                    _log.LogWarning(ex, "Vacuuming the staged ballot papers failed; the next mix retries");
                }
            }
        }

        public async ValueTask DisposeAsync()
        {
            await _stop.CancelAsync();
            await _loop;
            _stop.Dispose();
            _due.Dispose();
        }
    }
}
