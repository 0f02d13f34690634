using Ballot.Core.Data;
using Dapper;
using MediatR;

namespace Ballot.Core.Ballots;

/// <summary>
/// Who the electorate's filters select now, counted by employer and workplace, and what the executive should know
/// before opening: small constituencies, electors without email, a missing scrutineer. Reads only; the electorate is
/// frozen by <see cref="OpenBallot"/>, with the same WHERE clause.
/// </summary>
public static class PreviewElectorate
{
    /// <summary>Per-workplace counts below this can reveal a choice once published (everyone at a workplace voting the same way).</summary>
    public const int SmallConstituency = 5;

    public sealed record Group(string Name, long Electors);

    public sealed record WorkplaceGroup(long Id, string Name, string Employer, long Electors);

    public sealed record Warning(string Code, string Text);

    public sealed record View(long Electors, long WithoutEmail, IReadOnlyList<Group> ByEmployer, IReadOnlyList<WorkplaceGroup> ByWorkplace,
        IReadOnlyList<WorkplaceGroup> SmallWorkplaces, RuleSetView? RuleSet, bool ScrutineerRequired, IReadOnlyList<Warning> Warnings);

    /// <param name="Limit">how many employers and workplaces to list, largest first (the totals always cover everyone).</param>
    public sealed record Query(Electorate Electorate, BallotKind Kind, Counting Counting, DateTimeOffset OpensAt, string? ScrutineerName, int Limit = 50)
        : IRequest<View>;

    /// <summary>The preview of a saved draft, as it would open now.</summary>
    public sealed record ForBallot(long Id) : IRequest<View>;

    private sealed class Row
    {
        public long WorkplaceId { get; init; }
        public string Workplace { get; init; } = "";
        public string Employer { get; init; } = "";
        public long N { get; init; }
        public long NoEmail { get; init; }
    }

    public sealed class Handler(Db db, IMediator mediator) : IRequestHandler<Query, View>, IRequestHandler<ForBallot, View>
    {
        public async Task<View> Handle(ForBallot q, CancellationToken ct)
        {
            BallotRow ballot;
            await using (var conn = await db.OpenAsync(ct)) ballot = await BallotRow.LoadAsync(conn, q.Id);
            return await mediator.Send(new Query(ballot.Def.Electorate, ballot.IsIndustrialAction ? BallotKind.IndustrialAction : BallotKind.Consultative,
                ballot.Counting == "per-workplace" ? Counting.PerWorkplace : Counting.Aggregated, ballot.OpensAt, ballot.Def.IndustrialAction?.ScrutineerName), ct);
        }

        public async Task<View> Handle(Query q, CancellationToken ct)
        {
            await using var conn = await db.OpenAsync(ct);
            var (where, args) = OpenBallot.ElectorateSql(q.Electorate);
            var rows = (await conn.QueryAsync<Row>($"""
                SELECT w.id AS workplace_id, w.name AS workplace, w.employer AS employer, COUNT(*) AS n,
                       SUM(CASE WHEN m.email IS NULL OR m.email = '' THEN 1 ELSE 0 END) AS no_email
                FROM member m JOIN workplace w ON w.id = m.workplace_id {where}
                GROUP BY w.id, w.name, w.employer
                """, args)).ToList();
            var electors = rows.Sum(r => r.N);
            var noEmail = rows.Sum(r => r.NoEmail);
            var byEmployer = rows.GroupBy(r => r.Employer, StringComparer.Ordinal)
                .Select(g => new Group(g.Key, g.Sum(r => r.N))).OrderByDescending(g => g.Electors).ThenBy(g => g.Name, StringComparer.OrdinalIgnoreCase).ToList();
            var byWorkplace = rows.Select(r => new WorkplaceGroup(r.WorkplaceId, r.Workplace, r.Employer, r.N))
                .OrderByDescending(w => w.Electors).ThenBy(w => w.Name, StringComparer.OrdinalIgnoreCase).ToList();
            var small = q.Counting == Counting.PerWorkplace
                ? byWorkplace.Where(w => w.Electors < SmallConstituency).OrderBy(w => w.Electors).ThenBy(w => w.Name, StringComparer.OrdinalIgnoreCase).ToList()
                : [];

            RuleSet? rules = null;
            if (q.Kind == BallotKind.IndustrialAction)
                try { rules = await RuleSet.ForOpeningAsync(conn, q.OpensAt); }
                catch (Common.ValidationFailed) { rules = null; }
            var scrutineerRequired = rules is not null && electors > rules.ScrutineerAbove;

            var warnings = new List<Warning>();
            if (electors == 0) warnings.Add(new("empty", "No member matches these filters: nobody could vote, and the ballot cannot open."));
            if (small.Count > 0)
                warnings.Add(new("small-constituencies",
                    $"{small.Count} {(small.Count == 1 ? "workplace has" : "workplaces have")} fewer than {SmallConstituency} electors. Counted per workplace, "
                    + "their published figures could reveal how someone voted."));
            if (noEmail > 0)
                warnings.Add(new("no-email", $"{noEmail} {(noEmail == 1 ? "elector has" : "electors have")} no email address: they will get no voting letter by email."));
            if (scrutineerRequired && string.IsNullOrWhiteSpace(q.ScrutineerName))
                warnings.Add(new("scrutineer", $"More than {rules!.ScrutineerAbove} are entitled to vote, so an independent scrutineer is required (s.226B), but none is named. The ballot cannot open."));
            return new View(electors, noEmail, byEmployer.Take(q.Limit).ToList(), byWorkplace.Take(q.Limit).ToList(), small.Take(q.Limit).ToList(),
                rules is null ? null : RuleSetView.Of(rules), scrutineerRequired, warnings);
        }
    }
}
