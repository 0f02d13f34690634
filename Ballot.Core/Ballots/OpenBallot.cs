using System.Data.Common;
using System.Security.Cryptography;
using System.Text;
using Ballot.Core.Common;
using Ballot.Core.Data;
using Ballot.Core.Mail;
using Dapper;
using MediatR;

namespace Ballot.Core.Ballots;

public static class OpenBallot
{
    public sealed record Result(long BallotId, int ElectorateSize, string ElectorateHash, long MailingId, int LettersQueued);

    public sealed record Command(long Id, string Actor) : IRequest<Result>;

    private sealed class ElectorRow
    {
        public long MemberId { get; init; }
        public long WorkplaceId { get; init; }
        public string? Email { get; init; }
        public string? EmailKind { get; init; }
        public string Employer { get; init; } = "";
    }

    public sealed class Handler(Db db, TimeProvider clock, Credentials credentials) : IRequestHandler<Command, Result>
    {
        public async Task<Result> Handle(Command cmd, CancellationToken ct)
        {
            var now = clock.GetUtcNow();
            await using var conn = await db.OpenOwnAsync(ct);   // raises its page cache below: not a pooled connection (Db.OpenOwnAsync)
            await using var tx = await db.BeginWriteAsync(conn, ct);
            var ballot = await BallotRow.LoadLockedAsync(conn, db.Dialect, cmd.Id, tx);   // an edit waits, or is waited for
            if (ballot.Status != "draft") throw new Conflict($"The ballot is already {ballot.Status}.");
            // A key other than the database's would derive links that no process accepts.
            await credentials.EnsureMatchesAsync(conn, tx);
            if (ballot.ClosesAt <= now) throw new Conflict("The ballot's closing time has passed; edit the draft first.");
            var def = ballot.Def;

            // The rule set follows the day voting actually opens: opensAt, or now if the ballot opens late.
            var votingOpens = now > ballot.OpensAt ? now : ballot.OpensAt;
            RuleSet? rules = ballot.IsIndustrialAction ? await RuleSet.ForOpeningAsync(conn, votingOpens, tx) : null;
            var refusal = VotingMethods.Refusal(ballot.KindValue, ballot.Method, votingOpens,
                await VotingMethods.AllowedAsync(conn, ballot.KindValue, votingOpens, tx));
            if (refusal is not null) throw new Conflict(refusal + " Edit the draft's voting method.");

            // Freeze the electorate and each elector's address: members who match now, at the address they have now;
            // anyone added later is not an elector, and a later change of address does not move this ballot's letters.
            // On PostgreSQL take the register writers' lock: a change of address lands before the freeze or sees the ballot open (ADR 0220).
            await Members.MemberChanges.LockRegisterAsync(conn, db.Dialect, tx);
            var (where, args) = ElectorateSql(def.Electorate);
            var electors = (await conn.QueryAsync<ElectorRow>(
                "SELECT m.id AS member_id, m.workplace_id AS workplace_id, m.email AS email, m.email_kind AS email_kind, w.employer AS employer FROM member m JOIN workplace w ON w.id = m.workplace_id" + where + " ORDER BY m.id",
                args, tx)).ToList();
            if (electors.Count == 0) throw new Conflict("No member matches the electorate; nobody could vote.");
            if (rules is not null && electors.Count > rules.ScrutineerAbove && string.IsNullOrWhiteSpace(def.IndustrialAction?.ScrutineerName))
                throw new Conflict($"More than {rules.ScrutineerAbove} are entitled to vote: an independent scrutineer is required (s.226B).");
            if (rules is not null)
            {
                // s.226A: whoever opens it (the executive, or the worker at opensAt), every employer must have had its notices in time.
                var unmet = Notices.NoticeRules.Unmet(rules, Notices.NoticeRules.Day(votingOpens), electors.Select(e => e.Employer),
                    await Notices.NoticeRules.GivenAsync(conn, ballot.Id, tx));
                if (unmet.Count > 0)
                    throw new Conflict($"The ballot cannot open on {votingOpens.UtcDateTime:yyyy-MM-dd}: an employer has not had its notices in time (s.226A). " + string.Join(" ", unmet));
            }
            // Votes are sealed under the ballot's key: no key, no ballot (issue 17, ADR 0902).
            var key = await Ceremony.CeremonyRecord.RequireKeyAsync(conn, ballot.Id, tx);

            var perWorkplace = ballot.Counting == "per-workplace";
            var hashText = new StringBuilder(electors.Count * 16);
            var rows = new (long MemberId, string Constituency, string Hash, string? Email)[electors.Count];
            // A fresh random salt per ballot: the key alone, or the key on another database, derives none of these links (ADR 0221).
            var salt = Credentials.NewSalt();
            await conn.ExecuteAsync("INSERT INTO ballot_credential_salt (ballot_id, salt) VALUES (@id, @salt)", new { id = ballot.Id, salt }, tx);
            var ballotCredentials = credentials.ForBallot(ballot.Id, salt);
            // Two HMACs and a SHA-256 per elector: the one CPU-bound step of opening, spread over the cores in chunks,
            // and written as each chunk is ready, so the database takes the first electors while the next are hashed.
            var hashed = HashInChunks(electors.Count, i =>
            {
                var e = electors[i];
                var constituency = perWorkplace ? e.WorkplaceId.ToString(System.Globalization.CultureInfo.InvariantCulture) : "all";
                rows[i] = (e.MemberId, constituency, Credentials.Hash(ballotCredentials.For(e.MemberId)), e.Email);
            });
            await InsertElectorsAsync(conn, db.Dialect, tx, ballot.Id, hashed.InOrder(rows), ct);
            await hashed.Done;
            foreach (var r in rows) hashText.Append(r.MemberId).Append(':').Append(r.Constituency).Append('\n');
            await InsertConstituenciesAsync(conn, tx, ballot.Id, perWorkplace, rows);
            var electorateHash = Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(hashText.ToString())));

            var changed = await conn.ExecuteAsync("""
                UPDATE ballot SET status = 'open', opened_at = @now, updated_at = @now, rule_set = @ruleSet,
                       electorate_size = @size, electorate_hash = @electorateHash
                WHERE id = @id AND status = 'draft'
                """, new { now = now, ruleSet = rules?.Code, size = electors.Count, electorateHash, id = ballot.Id }, tx);
            if (changed != 1) throw new Conflict("The ballot was opened by another request at the same time.");
            await Audit.AppendAsync(conn, tx, ballot.Id, "opened", cmd.Actor,
                new { electorateSize = electors.Count, electorateHash, ruleSet = rules?.Code, votingMethod = ballot.VotingMethod, keyFingerprint = key.Fingerprint }, now);

            foreach (var days in def.ReminderDaysBeforeClose)
            {
                var due = ballot.ClosesAt.AddDays(-days);
                if (due > now)
                    await conn.ExecuteAsync("INSERT INTO ballot_reminder (ballot_id, due_at) VALUES (@id, @due)", new { id = ballot.Id, due = due }, tx);
            }

            // Who is sent a paper instead of a link (issue 16): no email, a work email, or every elector of a postal ballot.
            var (noEmail, workEmail) = await Papers.PaperOnly.RecordAsync(conn, db.Dialect, tx, ballot.Id, ballot.VotingMethod,
                electors.Select(e => new Papers.PaperOnly.Elector(e.MemberId, e.Email, e.EmailKind, e.Employer)), ct);
            // Their papers go to the home address held now: a later change does not redirect them (ADR 0620).
            var papersAddressed = await Papers.PaperAddresses.FreezeAsync(conn, tx, ballot.Id, ballot.VotingMethod);
            var letter = Letters.Checked(Letters.VotingLetter(ballot, rules));
            var mailingId = await MailQueue.EnqueueAsync(conn, tx,
                new NewMailing("statutory", letter.Subject, letter.Body, null, Letters.Source, ballot.Id, "voting-letter", now),
                "SELECT e.member_id AS member_id, e.email AS email FROM ballot_elector e WHERE e.ballot_id = @ballotId" + Papers.PaperOnly.LinkFilter(ballot.VotingMethod),
                new { ballotId = ballot.Id });
            var queued = await conn.ExecuteScalarAsync<long>("SELECT COUNT(*) FROM mailing_recipient WHERE mailing_id = @mailingId", new { mailingId }, tx);
            await Audit.AppendAsync(conn, tx, ballot.Id, "letters-queued", cmd.Actor,
                new { purpose = "voting-letter", mailingId, letters = queued, electorsWithoutEmail = electors.Count - queued, paperOnlyNoEmail = noEmail, paperOnlyWorkEmail = workEmail, papersAddressed }, now);
            await tx.CommitAsync(ct);
            return new Result(ballot.Id, electors.Count, electorateHash, mailingId, (int)queued);
        }

        private static async Task InsertElectorsAsync(DbConnection conn, Dialect dialect, DbTransaction tx, long ballotId,
            IEnumerable<(long MemberId, string Constituency, string Hash, string? Email)> rows, CancellationToken ct)
        {
            // SQLite: the credential-hash index takes rows in random order: with the default 2 MB page cache, a large
            // electorate spills pages on every insert. A bigger cache for this transaction only keeps it in memory.
            await dialect.SetPageCacheAsync(conn, tx, 262144, ct);
            await dialect.InsertManyAsync(conn, tx, "ballot_elector", ["ballot_id", "member_id", "constituency", "credential_hash", "email"], rows,
                (r, row) =>
                {
                    row.Write(ballotId);
                    row.Write(r.MemberId);
                    row.Write(r.Constituency);
                    row.Write(r.Hash);
                    row.Write(r.Email);
                }, ct);
            await dialect.SetPageCacheAsync(conn, tx, 2000, ct);
        }
    }

    /// <summary>Runs <paramref name="fill"/> for 0..count−1 on every core, chunk after chunk, on a task of its own.</summary>
    private static Chunks HashInChunks(int count, Action<int> fill)
    {
        const int size = 16384;
        var ready = Enumerable.Range(0, (count + size - 1) / size).Select(_ => new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously)).ToArray();
        var done = Task.Run(() =>
        {
            var c = 0;
            try
            {
                for (; c < ready.Length; c++)
                {
                    Parallel.For(c * size, Math.Min(count, (c + 1) * size), fill);
                    ready[c].SetResult();
                }
            }
            catch (Exception e)
            {
                // The writer waiting for a chunk fails with this instead of waiting for ever.
                for (; c < ready.Length; c++) ready[c].TrySetException(e);
                throw;
            }
        });
        return new Chunks(ready, size, done);
    }

    private sealed record Chunks(TaskCompletionSource[] Ready, int Size, Task Done)
    {
        /// <summary>The rows in order, each chunk once it is filled.</summary>
        public IEnumerable<T> InOrder<T>(T[] rows)
        {
            for (var c = 0; c < Ready.Length; c++)
            {
                Ready[c].Task.GetAwaiter().GetResult();
                for (var i = c * Size; i < Math.Min(rows.Length, (c + 1) * Size); i++) yield return rows[i];
            }
        }
    }

    private sealed class WorkplaceName
    {
        public long Id { get; init; }
        public string Name { get; init; } = "";
        public string Employer { get; init; } = "";
    }

    private static async Task InsertConstituenciesAsync(DbConnection conn, DbTransaction tx, long ballotId, bool perWorkplace,
        (long MemberId, string Constituency, string Hash, string? Email)[] rows)
    {
        var sizes = rows.GroupBy(r => r.Constituency, StringComparer.Ordinal).ToDictionary(g => g.Key, g => g.LongCount(), StringComparer.Ordinal);
        var names = new Dictionary<string, string>(StringComparer.Ordinal);
        if (perWorkplace)
            foreach (var w in await conn.QueryAsync<WorkplaceName>("SELECT id, name, employer FROM workplace", transaction: tx))
                names[w.Id.ToString(System.Globalization.CultureInfo.InvariantCulture)] = $"{w.Name} ({w.Employer})";
        // Multi-row statements of 500: a per-workplace ballot has 25,000 constituencies, and one statement each is
        // 25,000 round trips on PostgreSQL.
        foreach (var chunk in sizes.Chunk(500))
        {
            var args = new DynamicParameters(new { ballotId });
            var values = new List<string>(chunk.Length);
            for (var i = 0; i < chunk.Length; i++)
            {
                var (c, n) = (chunk[i].Key, chunk[i].Value);
                args.Add($"c{i}", c);
                args.Add($"n{i}", n);
                args.Add($"name{i}", perWorkplace ? names.GetValueOrDefault(c, $"Workplace {c}") : "All members balloted");
                values.Add($"(@ballotId, @c{i}, @name{i}, @n{i})");
            }
            await conn.ExecuteAsync($"INSERT INTO ballot_constituency (ballot_id, constituency, name, entitled) VALUES {string.Join(", ", values)}", args, tx);
        }
    }

    /// <summary>The electorate's filters as a WHERE clause over member m joined to workplace w.</summary>
    public static (string Where, DynamicParameters Args) ElectorateSql(Electorate e)
    {
        var sb = new StringBuilder(" WHERE m.erased_at IS NULL");
        var args = new DynamicParameters();
        void In(string column, IReadOnlyList<string>? values, string name)
        {
            if (values is not { Count: > 0 }) return;
            // Drafts saved before entries were validated may hold a null: refuse rather than widen or crash.
            if (values.Any(string.IsNullOrWhiteSpace))
                throw new Conflict($"The electorate's {name} list has an empty entry; edit the draft.");
            var names = new List<string>();
            for (var i = 0; i < values.Count; i++) { names.Add($"@{name}{i}"); args.Add($"{name}{i}", values[i].Trim().ToLowerInvariant()); }
            sb.Append($" AND lower({column}) IN ({string.Join(", ", names)})");
        }
        In("w.region", e.Regions, "region");
        In("w.employer", e.Employers, "employer");
        In("m.category", e.Categories, "category");
        if (e.WorkplaceIds is { Count: > 0 } ids)
        {
            var names = new List<string>();
            for (var i = 0; i < ids.Count; i++) { names.Add($"@wp{i}"); args.Add($"wp{i}", ids[i]); }
            sb.Append($" AND w.id IN ({string.Join(", ", names)})");
        }
        if (e.ActiveOnly) sb.Append(" AND m.status = 'active'");
        return (sb.ToString(), args);
    }
}
