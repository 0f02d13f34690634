using System.Collections.Concurrent;
using Ballot.Core.Data;

namespace Ballot.Core.Ballots.Voting;

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
