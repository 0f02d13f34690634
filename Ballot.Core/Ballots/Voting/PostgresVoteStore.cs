using Ballot.Core.Data;
using Microsoft.Extensions.Logging;
using Npgsql;
using NpgsqlTypes;

namespace Ballot.Core.Ballots.Voting;

/// <summary>
/// PostgreSQL: a whole batch in one prepared statement over arrays (<c>unnest</c>), one round trip and one commit with
/// <c>synchronous_commit</c> on: it locks the batch's open ballots <c>FOR SHARE</c> (closing waits for the batch and
/// counts every vote it acknowledged), claims every credential not used yet, and writes the sealed papers of the claims
/// it won to ballot_paper. A paper shares its claim's transaction (xmin) and sits near it: sealed, it tells nothing
/// without t trustees' shares, so nothing is staged or mixed any more (ADR 0903, replacing 0210).
/// Running sums (ADR 0907): the batch's papers are added to this store's sums before the statement, as if every claim
/// will win, and the statement writes the new sum of each constituency whose claims all won; where one did not (a
/// credential used already, a ballot not open), a second statement in the same transaction writes the sums of the
/// claims that won. The new sums become the store's own only once the transaction commits.
/// Two stores (two lanes or two API processes) may hold the same credentials in one batch each: a batch is sent in key
/// order (ballot, member) and the claim walks its array in that order, one elector row after the other by its index, so
/// two batches take their elector rows in the same order and do not wait on each other in opposite orders. The claim
/// takes each row once (an update, re-checked against a claim that committed first), not locked first and updated
/// after (ADR 0913). The order is the plan's, not a promise of SQL's: a deadlock or serialization failure, with this or
/// any other statement, retries the whole batch (its transaction left nothing behind).
/// </summary>
internal sealed class PostgresVoteStore : IVoteStore
{
    private const string RecordSql = """
        WITH open AS (
            SELECT id FROM ballot WHERE id = ANY(@ballots) AND status = 'open' AND opens_at <= @now AND closes_at > @now FOR SHARE),
        vote AS (
            SELECT * FROM unnest(@i, @ballot, @member, @hash, @tracker, @constituency, @sealed)
                AS v (i, ballot_id, member_id, credential_hash, tracker, constituency, sealed)
            WHERE ballot_id IN (SELECT id FROM open)),
        claimed AS (
            UPDATE ballot_elector e SET voted = 1, voted_hour = @hour
            FROM vote v
            WHERE e.ballot_id = v.ballot_id AND e.member_id = v.member_id AND e.credential_hash = v.credential_hash AND e.voted = 0
            RETURNING v.i, v.ballot_id, v.tracker, v.constituency, v.sealed),
        papers AS (
            INSERT INTO ballot_paper (ballot_id, tracker, constituency, sealed)
            SELECT ballot_id, tracker, constituency, sealed FROM claimed),
        won AS (
            SELECT ballot_id, constituency, COUNT(*) AS n FROM claimed GROUP BY ballot_id, constituency),
        sums AS (
            INSERT INTO ballot_running_sum (ballot_id, writer, constituency, papers, ciphertexts)
            SELECT s.ballot_id, @writer, s.constituency, s.papers, s.ciphertexts
            FROM unnest(@sumBallot, @sumConstituency, @sumSent, @sumPapers, @sumCiphertexts) AS s (ballot_id, constituency, sent, papers, ciphertexts)
            JOIN won w ON w.ballot_id = s.ballot_id AND w.constituency = s.constituency AND w.n = s.sent
            ON CONFLICT (ballot_id, writer, constituency) DO UPDATE SET papers = excluded.papers, ciphertexts = excluded.ciphertexts)
        SELECT ARRAY(SELECT id FROM open), ARRAY(SELECT i FROM claimed)
        """;

    private const string SumsSql = """
        INSERT INTO ballot_running_sum (ballot_id, writer, constituency, papers, ciphertexts)
        SELECT ballot_id, @writer, constituency, papers, ciphertexts FROM unnest(@sumBallot, @sumConstituency, @sumPapers, @sumCiphertexts)
            AS s (ballot_id, constituency, papers, ciphertexts)
        ON CONFLICT (ballot_id, writer, constituency) DO UPDATE SET papers = excluded.papers, ciphertexts = excluded.ciphertexts
        """;

    private readonly NpgsqlConnection _conn;
    private readonly NpgsqlCommand _record, _sums;
    private readonly RunningSums _running;
    private readonly ILogger _log;

    private PostgresVoteStore(NpgsqlConnection conn, NpgsqlCommand record, NpgsqlCommand sums, RunningSums running, ILogger log)
    {
        _log = log;
        _conn = conn;
        _record = record;
        _sums = sums;
        _running = running;
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
            foreach (var name in (string[])["hash", "tracker", "constituency"])
                cmd.Parameters.Add(new NpgsqlParameter(name, NpgsqlDbType.Array | NpgsqlDbType.Text));
            cmd.Parameters.Add(new NpgsqlParameter("sealed", NpgsqlDbType.Array | NpgsqlDbType.Bytea));
            cmd.Parameters.Add(new NpgsqlParameter("hour", NpgsqlDbType.TimestampTz));
            var running = new RunningSums();
            cmd.Parameters.Add(new NpgsqlParameter("writer", NpgsqlDbType.Text) { Value = running.Writer });
            cmd.Parameters.Add(new NpgsqlParameter("sumSent", NpgsqlDbType.Array | NpgsqlDbType.Bigint));
            var sums = new NpgsqlCommand(SumsSql, conn);
            sums.Parameters.Add(new NpgsqlParameter("writer", NpgsqlDbType.Text) { Value = running.Writer });
            foreach (var c in (NpgsqlCommand[])[cmd, sums])
            {
                c.Parameters.Add(new NpgsqlParameter("sumBallot", NpgsqlDbType.Array | NpgsqlDbType.Bigint));
                c.Parameters.Add(new NpgsqlParameter("sumConstituency", NpgsqlDbType.Array | NpgsqlDbType.Text));
                c.Parameters.Add(new NpgsqlParameter("sumPapers", NpgsqlDbType.Array | NpgsqlDbType.Bigint));
                c.Parameters.Add(new NpgsqlParameter("sumCiphertexts", NpgsqlDbType.Array | NpgsqlDbType.Bytea));
                await c.PrepareAsync();
            }
            return new PostgresVoteStore(conn, cmd, sums, running, log);
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
        var first = new Dictionary<string, int>(batch.Count, StringComparer.Ordinal);
        var sent = new List<int>(batch.Count);
        for (var i = 0; i < batch.Count; i++)
            if (first.TryAdd(batch[i].Vote.CredentialHash, i)) sent.Add(i);
        // Sent in key order, which the statement claims them in: see the class's summary.
        sent.Sort((x, y) => (batch[x].Vote.BallotId, batch[x].Vote.MemberId).CompareTo((batch[y].Vote.BallotId, batch[y].Vote.MemberId)));
        var position = new int[batch.Count];
        for (var k = 0; k < sent.Count; k++) position[sent[k]] = k;
        // slot[i]: the position sent of vote i's credential, negated (~) for a repeat of a credential sent earlier.
        var slot = new int[batch.Count];
        for (var i = 0; i < batch.Count; i++)
        {
            var f = first[batch[i].Vote.CredentialHash];
            slot[i] = f == i ? position[i] : ~position[f];
        }
        var p = _record.Parameters;
        p["ballots"].Value = batch.Select(v => v.Vote.BallotId).Distinct().ToArray();
        p["now"].Value = now.UtcDateTime;
        p["i"].Value = Enumerable.Range(0, sent.Count).ToArray();
        p["ballot"].Value = sent.Select(i => batch[i].Vote.BallotId).ToArray();
        p["member"].Value = sent.Select(i => batch[i].Vote.MemberId).ToArray();
        p["hash"].Value = sent.Select(i => batch[i].Vote.CredentialHash).ToArray();
        p["tracker"].Value = sent.Select(i => batch[i].Vote.Paper.Tracker).ToArray();
        p["constituency"].Value = sent.Select(i => batch[i].Vote.Constituency).ToArray();
        p["sealed"].Value = sent.Select(i => batch[i].Vote.Paper.Sealed).ToArray();
        p["hour"].Value = SqliteVoteStore.VotedHour(now).UtcDateTime;
        // As if every claim sent will win: the usual case, one round trip.
        var hoped = _running.Begin();
        var sentBy = new Dictionary<(long, string), long>();
        foreach (var i in sent)
        {
            var v = batch[i].Vote;
            hoped.Add(v.BallotId, v.Constituency, v.Paper);
            sentBy[(v.BallotId, v.Constituency)] = sentBy.GetValueOrDefault((v.BallotId, v.Constituency)) + 1;
        }
        var rows = hoped.Rows();
        SetSums(p, rows);
        p["sumSent"].Value = rows.Select(r => sentBy[(r.BallotId, r.Constituency)]).ToArray();

        long[] open;
        int[] claimed;
        RunningSums.Batch written;
        for (var attempt = 1; ; attempt++)
        {
            try
            {
                (open, claimed, written) = await RecordAsync(batch, sent, sentBy, hoped);
                break;
            }
            catch (PostgresException e) when (e.SqlState is PostgresErrorCodes.DeadlockDetected or PostgresErrorCodes.SerializationFailure && attempt < 3)
            {
                _log.LogWarning("A vote batch of {Count} met a {State} and is tried again (attempt {Attempt})", batch.Count, e.SqlState, attempt + 1);
            }
        }

        written.Committed();
        foreach (var ballot in batch.Select(v => v.Vote.BallotId).Distinct().Where(b => !open.Contains(b))) _running.Forget(ballot);

        var won = new HashSet<int>(claimed);
        for (var i = 0; i < batch.Count; i++)
        {
            // slot[i] < 0: a repeat of a credential sent earlier in this batch.
            var result = !open.Contains(batch[i].Vote.BallotId) ? VoteResult.NotOpen
                : slot[i] >= 0 && won.Contains(slot[i]) ? VoteResult.Recorded(batch[i].Vote.Paper.Tracker)
                : VoteResult.AlreadyVoted;
            batch[i].Answer(result);
        }
    }

    /// <summary>One transaction: the claims, papers and sums; nothing of it is kept if it throws.</summary>
    private async Task<(long[] Open, int[] Claimed, RunningSums.Batch Written)> RecordAsync(
        IReadOnlyList<PendingVote> batch, List<int> sent, Dictionary<(long, string), long> sentBy, RunningSums.Batch hoped)
    {
        long[] open;
        int[] claimed;
        var written = hoped;
        await using (var tx = await _conn.BeginTransactionAsync())
        {
            _record.Transaction = tx;
            await using (var r = await _record.ExecuteReaderAsync())
            {
                await r.ReadAsync();
                open = r.GetFieldValue<long[]>(0);
                claimed = r.GetFieldValue<int[]>(1);
            }
            if (claimed.Length != sent.Count)
            {
                // Some claim lost: the sums of the claims that won, for the constituencies the statement left alone.
                written = _running.Begin();
                var wonBy = new Dictionary<(long, string), long>();
                foreach (var k in claimed)
                {
                    var v = batch[sent[k]].Vote;
                    written.Add(v.BallotId, v.Constituency, v.Paper);
                    wonBy[(v.BallotId, v.Constituency)] = wonBy.GetValueOrDefault((v.BallotId, v.Constituency)) + 1;
                }
                var left = written.Rows().Where(row => wonBy[(row.BallotId, row.Constituency)] != sentBy[(row.BallotId, row.Constituency)]).ToList();
                if (left.Count > 0)
                {
                    SetSums(_sums.Parameters, left);
                    _sums.Transaction = tx;
                    await _sums.ExecuteNonQueryAsync();
                }
            }
            await tx.CommitAsync();
        }
        return (open, claimed, written);
    }

    private static void SetSums(NpgsqlParameterCollection p, IReadOnlyList<RunningSumRow> rows)
    {
        p["sumBallot"].Value = rows.Select(r => r.BallotId).ToArray();
        p["sumConstituency"].Value = rows.Select(r => r.Constituency).ToArray();
        p["sumPapers"].Value = rows.Select(r => r.Papers).ToArray();
        p["sumCiphertexts"].Value = rows.Select(r => r.Ciphertexts).ToArray();
    }

    public async ValueTask DisposeAsync()
    {
        await _sums.DisposeAsync();
        await _record.DisposeAsync();
        await _conn.DisposeAsync();
    }
}
