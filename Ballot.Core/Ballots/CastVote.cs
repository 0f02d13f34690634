using System.Collections.Concurrent;
using System.Text.Json;
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

    public sealed class Handler(Db db, TimeProvider clock, VoteWriter writer, PaperCache papers) : IRequestHandler<Command, Receipt>
    {
        public async Task<Receipt> Handle(Command cmd, CancellationToken ct)
        {
            var elector = await Electors.FindAsync(db, cmd.Credential, ct) ?? throw new NotFound(NotValid);
            var now = clock.GetUtcNow();
            if (elector.Status != "open" || now < elector.OpensAt || now >= elector.ClosesAt)
                throw new Forbidden(now < elector.OpensAt ? $"Voting opens on {Letters.When(elector.OpensAt)}." : "Voting has closed.");
            if (elector.Voted != 0) throw new Conflict("This voting link has already been used: you have already voted.");
            var paper = await papers.GetAsync(elector.BallotId, ct);
            var unknown = (cmd.Answers?.Keys ?? []).Where(k => paper.Questions.All(q => q.Id != k)).ToList();
            if (unknown.Count > 0)
                throw ValidationFailed.For("answers", $"Unknown question id(s): {string.Join(", ", unknown)}. The questions are: {string.Join(", ", paper.Questions.Select(q => q.Id))}.");
            var answers = Canonical(paper.Questions, cmd.Answers);
            var (outcome, receipt) = await writer.SubmitAsync(new VoteWriter.Pending(elector.BallotId, elector.CredentialHash, elector.Constituency, answers));
            return outcome switch
            {
                VoteOutcome.Recorded => new Receipt(Receipts.Display(receipt!)),
                VoteOutcome.AlreadyVoted => throw new Conflict("This voting link has already been used: you have already voted."),
                _ => throw new Forbidden("Voting has closed."),
            };
        }
    }

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
    public string Constituency { get; init; } = "";
    public long Voted { get; init; }
    public string Status { get; init; } = "";
    public DateTimeOffset OpensAt { get; init; }
    public DateTimeOffset ClosesAt { get; init; }
    public string CredentialHash { get; init; } = "";
}

public static class Electors
{
    public static async Task<ElectorState?> FindAsync(Db db, string? credential, CancellationToken ct)
    {
        if (!Credentials.LooksValid(credential)) return null;
        var hash = Credentials.Hash(credential!);
        await using var conn = await db.OpenAsync(ct);
        return await conn.QuerySingleOrDefaultAsync<ElectorState>("""
            SELECT e.ballot_id, e.constituency, e.voted, b.status, b.opens_at, b.closes_at, e.credential_hash
            FROM ballot_elector e JOIN ballot b ON b.id = e.ballot_id
            WHERE e.credential_hash = @hash
            """, new { hash });
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
