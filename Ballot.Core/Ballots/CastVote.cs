using System.Collections.Concurrent;
using System.Text.Json;
using System.Data.Common;
using Ballot.Core.Common;
using Ballot.Core.Data;
using Dapper;
using MediatR;

namespace Ballot.Core.Ballots;

public static class CastVote
{
    public sealed record Receipt(string Code);

    /// <summary>The 404 for a credential nobody was issued; the API counts these per client to slow down guessing.</summary>
    public const string NotValid = "This voting link is not valid.";

    /// <param name="Answers">question id to the chosen option; a missing, blank or unknown option is a spoiled answer.</param>
    public sealed record Command(string Credential, IReadOnlyDictionary<string, string?>? Answers) : IRequest<Receipt>;

    public sealed class Handler(Electors electors, ElectorIndex index, TimeProvider clock, VoteWriter writer, PaperCache papers) : IRequestHandler<Command, Receipt>
    {
        public async Task<Receipt> Handle(Command cmd, CancellationToken ct)
        {
            if (!Credentials.LooksValid(cmd.Credential)) throw new NotFound(NotValid);
            var hash = Credentials.Hash(cmd.Credential);
            var now = clock.GetUtcNow();
            PaperContent paper;
            long ballotId, memberId;
            string constituency;
            if (index.TryFind(hash, out ballotId, out memberId, out constituency))
            {
                // In memory: the ballot and constituency. Whether this credential was used, and whether the ballot is
                // still open, the writer's claim decides in its transaction.
                paper = await papers.GetAsync(ballotId, ct);
                if (now < paper.OpensAt) throw new Forbidden($"Voting opens on {Letters.When(paper.OpensAt)}.");
                if (now >= paper.ClosesAt)
                {
                    index.Forget(ballotId);
                    throw new Forbidden("Voting has closed.");
                }
            }
            else
            {
                var elector = await electors.FindAsync(cmd.Credential, ct) ?? throw new NotFound(NotValid);
                if (elector.Status != "open" || now < elector.OpensAt || now >= elector.ClosesAt)
                    throw new Forbidden(now < elector.OpensAt ? $"Voting opens on {Letters.When(elector.OpensAt)}." : "Voting has closed.");
                index.Load(elector.BallotId);
                if (elector.Voted != 0) throw new Conflict(AlreadyVoted);
                (ballotId, memberId, constituency) = (elector.BallotId, elector.MemberId, elector.Constituency);
                paper = await papers.GetAsync(ballotId, ct);
            }
            var unknown = (cmd.Answers?.Keys ?? []).Where(k => paper.Questions.All(q => q.Id != k)).ToList();
            if (unknown.Count > 0)
                throw ValidationFailed.For("answers", $"Unknown question id(s): {string.Join(", ", unknown)}. The questions are: {string.Join(", ", paper.Questions.Select(q => q.Id))}.");
            var answers = Canonical(paper.Questions, cmd.Answers);
            var (outcome, receipt) = await writer.SubmitAsync(new VoteWriter.Pending(ballotId, memberId, hash, constituency, answers));
            switch (outcome)
            {
                case VoteOutcome.Recorded: return new Receipt(Receipts.Display(receipt!));
                case VoteOutcome.AlreadyVoted: throw new Conflict(AlreadyVoted);
                default:
                    index.Forget(ballotId);
                    throw new Forbidden("Voting has closed.");
            }
        }
    }

    public const string AlreadyVoted = "This voting link has already been used: you have already voted.";

    /// <summary>The answers in question order, each an option exactly as on the paper or "spoiled".</summary>
    public static string Canonical(IReadOnlyList<Question> questions, IReadOnlyDictionary<string, string?>? answers)
    {
        using var buffer = new MemoryStream();
        using (var w = new Utf8JsonWriter(buffer))
        {
            w.WriteStartObject();
            foreach (var q in questions)
            {
                string? given = null;
                answers?.TryGetValue(q.Id, out given);
                var option = q.Options.FirstOrDefault(o => string.Equals(o, given?.Trim(), StringComparison.OrdinalIgnoreCase));
                w.WriteString(q.Id, option ?? BallotInput.Spoiled);
            }
            w.WriteEndObject();
        }
        return System.Text.Encoding.UTF8.GetString(buffer.ToArray());
    }
}

public sealed class ElectorState
{
    public long BallotId { get; init; }
    public long MemberId { get; init; }
    public string Constituency { get; init; } = "";
    public long Voted { get; init; }
    public string Status { get; init; } = "";
    public DateTimeOffset OpensAt { get; init; }
    public DateTimeOffset ClosesAt { get; init; }
    public string CredentialHash { get; init; } = "";
}

/// <summary>
/// Finds an elector by credential on the hot path of voting: a few connections of its own, each with its statement
/// prepared once, instead of opening a pooled connection and running its set-up per vote.
/// </summary>
public sealed class Electors(Db db) : IAsyncDisposable
{
    // SQLite: keep a reader per concurrent request (a connection is a file handle). PostgreSQL: connections are a
    // server-wide budget, so readers go back to Npgsql's pool after each lookup.
    private readonly int _maxIdle = db.Engine == Engine.Sqlite ? 64 : 0;
    private readonly ConcurrentBag<Reader> _idle = [];

    public async Task<ElectorState?> FindAsync(string? credential, CancellationToken ct)
    {
        if (!Credentials.LooksValid(credential)) return null;
        var hash = Credentials.Hash(credential!);
        var reader = _idle.TryTake(out var r) ? r : await Reader.OpenAsync(db, ct);
        try
        {
            var state = await reader.FindAsync(hash, ct);
            if (_idle.Count < _maxIdle) _idle.Add(reader);
            else await reader.DisposeAsync();
            return state;
        }
        catch
        {
            await reader.DisposeAsync();
            throw;
        }
    }

    public async ValueTask DisposeAsync()
    {
        while (_idle.TryTake(out var r)) await r.DisposeAsync();
    }

    private sealed class Reader(DbConnection conn, DbCommand cmd, DbParameter hash) : IAsyncDisposable
    {
        public static async Task<Reader> OpenAsync(Db db, CancellationToken ct)
        {
            var conn = await db.OpenOwnAsync(ct);
            if (db.Engine == Engine.Sqlite)
            {
                await using var pragma = conn.CreateCommand();
                // Small: another connection's commit empties this cache before the next lookup (WAL snapshot changed),
                // so a large one only costs more to clear. Votes mostly go through ElectorIndex instead.
                pragma.CommandText = "PRAGMA cache_size = -512";
                await pragma.ExecuteNonQueryAsync(ct);
            }
            var cmd = conn.CreateCommand();
            cmd.CommandText = """
                SELECT e.ballot_id, e.constituency, e.voted, b.status, b.opens_at, b.closes_at, e.member_id
                FROM ballot_elector e JOIN ballot b ON b.id = e.ballot_id
                WHERE e.credential_hash = @h
                """;
            return new Reader(conn, cmd, cmd.AddParameter("h", ""));
        }

        public async Task<ElectorState?> FindAsync(string credentialHash, CancellationToken ct)
        {
            hash.Value = credentialHash;
            await using var r = await cmd.ExecuteReaderAsync(ct);
            if (!await r.ReadAsync(ct)) return null;
            return new ElectorState
            {
                BallotId = r.GetInt64(0), Constituency = r.GetString(1), Voted = r.GetInt64(2), Status = r.GetString(3),
                OpensAt = DapperSetup.Parse(r.GetValue(4)), ClosesAt = DapperSetup.Parse(r.GetValue(5)), CredentialHash = credentialHash,
                MemberId = r.GetInt64(6),
            };
        }

        public async ValueTask DisposeAsync()
        {
            await cmd.DisposeAsync();
            await conn.DisposeAsync();
        }
    }
}

/// <summary>What a voter's page shows, per ballot. A ballot's paper cannot change once it has electors, so it is cached.</summary>
public sealed record PaperContent(long BallotId, string Title, string Kind, IReadOnlyList<Question> Questions, IndustrialAction? IndustrialAction,
    RuleSet? Rules, DateTimeOffset OpensAt, DateTimeOffset ClosesAt);

public sealed class PaperCache(Db db)
{
    private readonly ConcurrentDictionary<long, PaperContent> _papers = new();

    public async Task<PaperContent> GetAsync(long ballotId, CancellationToken ct)
    {
        if (_papers.TryGetValue(ballotId, out var p)) return p;
        await using var conn = await db.OpenAsync(ct);
        var row = await BallotRow.LoadAsync(conn, ballotId);
        var rules = await RuleSet.ByCodeAsync(conn, row.RuleSet);
        p = new PaperContent(row.Id, row.Title, row.Kind, row.Def.Questions, row.Def.IndustrialAction, rules, row.OpensAt, row.ClosesAt);
        if (row.Status != "draft") _papers[ballotId] = p;
        return p;
    }
}
