using System.Data.Common;
using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Ballot.Core.Common;
using Ballot.Core.Data;
using Ballot.Core.Mail;
using Dapper;
using MediatR;

namespace Ballot.Core.Ballots;

/// <summary>
/// The scrutineer certifies a closed ballot: every check below must pass before the certificate is signed, and a refusal
/// says which one failed. The certificate signs the result and the chain's head and length (ADR 0230).
/// </summary>
public static class CertifyBallot
{
    public sealed record Command(long Id, string Actor) : IRequest<GetResult.View>;

    public sealed class Handler(Db db, TimeProvider clock, IMediator mediator, ScrutineerKey key) : IRequestHandler<Command, GetResult.View>
    {
        public async Task<GetResult.View> Handle(Command cmd, CancellationToken ct)
        {
            var now = clock.GetUtcNow();
            await using (var conn = await db.OpenAsync(ct))
            await using (var tx = await db.BeginWriteAsync(conn, ct))
            {
                // Locked: a concurrent certification waits here, then finds the ballot certified.
                var ballot = await BallotRow.LoadLockedAsync(conn, db.Dialect, cmd.Id, tx);
                if (ballot.Status != "closed") throw new Conflict($"The ballot is {ballot.Status}; only a closed, counted ballot can be certified.");
                if (ballot.ResultHash is null) throw new Conflict($"{CloseBallot.AwaitingTrustees} Only a counted ballot can be certified.");
                if (key.PublicKeyPem is null) throw new Conflict(ScrutineerKey.Missing);
                var entries = await Audit.ReadAsync(conn, ballot.Id, tx);
                var check = AuditAnchors.Verify(ballot, entries, await Certificate.LoadAsync(conn, ballot.Id, tx), key);
                if (!check.Intact) throw new Conflict($"The audit chain does not verify: {check.Problem} The result cannot be certified.");
                await CheckVotesEqualPapersAsync(conn, tx, ballot.Id);
                await CheckElectorateAsync(conn, tx, ballot, entries);
                var result = BallotResult.Parse(ballot.Result!);
                var (_, receiptsHash) = await Count.PaperSums.HashTrackersAsync(conn, tx, ballot.Id);
                if (receiptsHash != result.ReceiptsHash)
                    throw new Conflict("The ballot papers changed after the count: the receipts no longer match.");
                await CheckResultAsync(conn, tx, ballot, result);

                // The status guard: on PostgreSQL a concurrent certify that read 'closed' too waits here, then changes nothing.
                var changed = await conn.ExecuteAsync("UPDATE ballot SET status = 'certified', certified_at = @now, certified_by = @actor, updated_at = @now WHERE id = @id AND status = 'closed'",
                    new { now = now, actor = cmd.Actor, id = ballot.Id }, tx);
                if (changed != 1) throw new Conflict("The ballot was certified by another request at the same time.");
                await Audit.AppendAsync(conn, tx, ballot.Id, "certified", cmd.Actor,
                    new { resultHash = ballot.ResultHash, auditHead = check.HeadHash, keyFingerprint = key.Fingerprint }, now);
                var letter = Letters.Checked(Letters.ResultNotice(ballot, result));
                var mailingId = await MailQueue.EnqueueAsync(conn, tx,
                    new NewMailing("statutory", letter.Subject, letter.Body, null, Letters.Source, ballot.Id, "result-notice", now),
                    "SELECT e.member_id AS member_id, e.email AS email FROM ballot_elector e WHERE e.ballot_id = @ballotId",
                    new { ballotId = ballot.Id });
                var queued = await conn.ExecuteScalarAsync<long>("SELECT COUNT(*) FROM mailing_recipient WHERE mailing_id = @mailingId", new { mailingId }, tx);
                await Audit.AppendAsync(conn, tx, ballot.Id, "letters-queued", cmd.Actor, new { purpose = "result-notice", mailingId, letters = queued }, now);

                // Signed last, over the whole chain: cutting any entry from its end, these two included, is then detectable.
                var head = await Audit.HeadAsync(conn, tx, ballot.Id);
                var statement = new CertificateStatement(ballot.Id, ballot.Title, ballot.ResultHash!, result.ReceiptsHash, ballot.ElectorateHash,
                    result.Entitled, result.VotesCast, head.Length, head.Head, now, cmd.Actor, key.Fingerprint!).Serialize();
                await conn.ExecuteAsync("""
                    INSERT INTO ballot_certificate (ballot_id, statement, signature, public_key, key_fingerprint)
                    VALUES (@id, @statement, @signature, @publicKey, @fingerprint)
                    """, new { id = ballot.Id, statement, signature = key.Sign(statement), publicKey = key.PublicKeyPem, fingerprint = key.Fingerprint }, tx);
                await tx.CommitAsync(ct);
            }
            return await mediator.Send(new GetResult.Query(cmd.Id, Staff: true), ct);
        }
    }

    private sealed class Tallied
    {
        public string Constituency { get; init; } = "";
        public long N { get; init; }
        public long Voted { get; init; }
    }

    private sealed class Entitled
    {
        public string Constituency { get; init; } = "";
        public string Name { get; init; } = "";
        public long N { get; init; }
    }

    /// <summary>Per constituency: the electors marked voted equal the papers, and the roll equals the entitled recorded at opening.</summary>
    private static async Task CheckVotesEqualPapersAsync(DbConnection conn, DbTransaction tx, long ballotId)
    {
        var roll = (await conn.QueryAsync<Entitled>("SELECT constituency, name, entitled AS n FROM ballot_constituency WHERE ballot_id = @ballotId",
            new { ballotId }, tx)).ToDictionary(c => c.Constituency, StringComparer.Ordinal);
        var electors = (await conn.QueryAsync<Tallied>("""
            SELECT constituency, COUNT(*) AS n, SUM(voted) AS voted FROM ballot_elector WHERE ballot_id = @ballotId GROUP BY constituency
            """, new { ballotId }, tx)).ToDictionary(c => c.Constituency, StringComparer.Ordinal);
        var papers = (await conn.QueryAsync<Tallied>("SELECT constituency, COUNT(*) AS n FROM ballot_paper WHERE ballot_id = @ballotId GROUP BY constituency",
            new { ballotId }, tx)).ToDictionary(c => c.Constituency, c => c.N, StringComparer.Ordinal);
        var problems = new List<string>();
        foreach (var c in roll.Keys.Union(electors.Keys).Union(papers.Keys).Order(StringComparer.Ordinal))
        {
            var name = roll.TryGetValue(c, out var r) ? $"'{r.Name}'" : $"'{c}' (not a constituency of this ballot)";
            var voted = electors.GetValueOrDefault(c)?.Voted ?? 0;
            var counted = papers.GetValueOrDefault(c);
            if (voted != counted)
                problems.Add($"constituency {name}: {voted} {(voted == 1 ? "elector is" : "electors are")} marked as having voted but {counted} ballot {(counted == 1 ? "paper was" : "papers were")} found");
            var onRoll = electors.GetValueOrDefault(c)?.N ?? 0;
            if (r is not null && onRoll != r.N)
                problems.Add($"constituency {name}: {r.N} were entitled to vote when the ballot opened but {onRoll} electors are on its roll");
        }
        if (problems.Count > 0)
            throw new Conflict($"Votes recorded do not match the ballot papers: {string.Join("; ", problems)}. The result cannot be certified.");
    }

    /// <summary>The electorate hash recomputed from the elector rows, over the same lines OpenBallot hashed ("member:constituency").</summary>
    private static async Task CheckElectorateAsync(DbConnection conn, DbTransaction tx, BallotRow ballot, IReadOnlyList<AuditEntry> entries)
    {
        using var sha = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        long n = 0;
        await using (var cmd = conn.CreateCommand())
        {
            cmd.Transaction = tx;
            cmd.CommandText = "SELECT member_id, constituency FROM ballot_elector WHERE ballot_id = @id ORDER BY member_id";
            cmd.AddParameter("id", ballot.Id);
            await using var reader = await cmd.ExecuteReaderAsync();
            while (await reader.ReadAsync())
            {
                sha.AppendData(Encoding.UTF8.GetBytes(string.Create(CultureInfo.InvariantCulture, $"{reader.GetInt64(0)}:{reader.GetString(1)}\n")));
                n++;
            }
        }
        var recomputed = Convert.ToHexStringLower(sha.GetHashAndReset());
        var recorded = RecordedElectorateHash(entries);
        if (recomputed != recorded || recomputed != ballot.ElectorateHash)
            throw new Conflict($"The electorate hash recomputed from the elector rows ({n} electors, {recomputed}) does not match the one recorded when "
                + $"the ballot opened ({ballot.ElectorateSize} electors, {recorded ?? "none"}): elector rows were added, removed or changed. The result cannot be certified.");
    }

    private static string? RecordedElectorateHash(IReadOnlyList<AuditEntry> entries)
    {
        if (entries.LastOrDefault(e => e.Event == "opened") is not { } opened) return null;
        using var doc = JsonDocument.Parse(opened.Data);
        return doc.RootElement.TryGetProperty("electorateHash", out var h) && h.ValueKind == JsonValueKind.String ? h.GetString() : null;
    }

    /// <summary>
    /// The count done again from the papers without opening any: the sums recomputed from the sealed papers must be the
    /// sums the trustees decrypted, their stored partial decryptions must combine to the stored totals, and the result
    /// from those totals, with the same closing time and chain anchor, must hash to the stored result's hash.
    /// </summary>
    private static async Task CheckResultAsync(DbConnection conn, DbTransaction tx, BallotRow ballot, BallotResult stored)
    {
        const string refused = "The result cannot be certified.";
        var storedSums = await Count.PaperSums.LoadAsync(conn, tx, ballot.Id);
        var recomputed = await Count.PaperSums.ComputeAsync(conn, tx, ballot.Id, ballot.Def.Questions);
        if (Count.PaperSums.HashOf(recomputed) != Count.PaperSums.HashOf(storedSums.Select(s => s.Sum)))
            throw new Conflict($"The sums recomputed from the ballot papers differ from the sums the trustees decrypted: the papers changed after the count. {refused}");
        var ceremony = await Count.StoredCeremony.LoadAsync(conn, tx, ballot.Id) ?? throw new Conflict($"The ballot has no completed key ceremony. {refused}");
        var largest = await conn.ExecuteScalarAsync<long>("SELECT COALESCE(MAX(entitled), 0) FROM ballot_constituency WHERE ballot_id = @id", new { id = ballot.Id }, tx);
        var decryptions = await SubmitDecryption.LoadDecryptionsAsync(conn, tx, ballot.Id);
        var flat = Count.PaperSums.Flatten(recomputed);
        foreach (var d in decryptions)
            try { Count.SealedCount.Check(ceremony, flat, d); }
            catch (ValidationFailed e) { throw new Conflict($"A stored partial decryption no longer verifies ({string.Join(" ", e.Errors.Values.SelectMany(v => v))}). {refused}"); }
        var totals = Count.SealedCount.Open(ceremony, recomputed, decryptions, largest);
        for (var i = 0; i < totals.Count; i++)
            if (storedSums[i].Totals is not { } t || !t.SequenceEqual(totals[i].Options))
                throw new Conflict($"The stored totals of constituency '{totals[i].Constituency}', question {totals[i].Question} are not what the trustees' decryptions give. {refused}");
        var rules = await RuleSet.ByCodeAsync(conn, ballot.RuleSet, tx);
        var recount = await Tally.CountAsync(conn, tx, ballot, rules, stored.ClosedAt, totals) with { AuditLength = stored.AuditLength, AuditHead = stored.AuditHead };
        if (BallotResult.HashOf(recount.Serialize()) != ballot.ResultHash)
            throw new Conflict($"The result hash recomputed from the ballot papers does not match the stored result: {Difference(stored, recount)}. {refused}");
    }

    private static string Difference(BallotResult stored, BallotResult recount)
    {
        if (stored.VotesCast != recount.VotesCast) return $"votes cast: {stored.VotesCast} in the result, {recount.VotesCast} papers";
        if (stored.Entitled != recount.Entitled) return $"entitled to vote: {stored.Entitled} in the result, {recount.Entitled} now";
        foreach (var c in recount.Constituencies)
        {
            var s = stored.Constituencies.FirstOrDefault(x => x.Id == c.Id);
            if (s is null) return $"constituency '{c.Name}' is missing from the result";
            foreach (var q in c.Questions)
            {
                var sq = s.Questions.FirstOrDefault(x => x.Id == q.Id);
                if (sq is null) return $"constituency '{c.Name}', question '{q.Id}' is missing from the result";
                foreach (var o in q.Options)
                {
                    var so = sq.Options.FirstOrDefault(x => x.Option == o.Option)?.Votes;
                    if (so != o.Votes) return $"constituency '{c.Name}', question '{q.Id}', '{o.Option}': {so?.ToString(CultureInfo.InvariantCulture) ?? "none"} in the result, {o.Votes} on the papers";
                }
                if (sq.Spoiled != q.Spoiled) return $"constituency '{c.Name}', question '{q.Id}', spoiled: {sq.Spoiled} in the result, {q.Spoiled} on the papers";
            }
        }
        return "the figures differ";
    }
}
