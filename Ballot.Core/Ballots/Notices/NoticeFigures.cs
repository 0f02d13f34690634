using System.Data.Common;
using Dapper;

namespace Ballot.Core.Ballots.Notices;

public sealed record WorkplaceFigure(long Id, string Name, long Count);

public sealed record CategoryFigure(string Code, string Label, long Count);

/// <summary>What a notice tells one employer: the categories of employee, the workplaces and the total (s.226A(2)).</summary>
public sealed record EmployerFigures(string Employer, string? ContactEmail, IReadOnlyList<WorkplaceFigure> Workplaces,
    IReadOnlyList<CategoryFigure> Categories, long Total);

/// <summary>
/// The employees concerned, per employer: for a draft, the members its electorate matches now (what the union reasonably
/// believes); once open, its frozen electors.
/// </summary>
public static class NoticeFigures
{
    private sealed class Row
    {
        public string Employer { get; init; } = "";
        public long WorkplaceId { get; init; }
        public string WorkplaceName { get; init; } = "";
        public string Category { get; init; } = "";
        public string CategoryLabel { get; init; } = "";
        public long N { get; init; }
    }

    public static async Task<IReadOnlyList<EmployerFigures>> ForBallotAsync(DbConnection conn, BallotRow ballot, DbTransaction? tx = null)
    {
        const string columns = """
            SELECT w.employer AS Employer, w.id AS WorkplaceId, w.name AS WorkplaceName, m.category AS Category,
                   (SELECT c.label FROM member_category c WHERE c.code = m.category) AS CategoryLabel, COUNT(*) AS N
            FROM member m JOIN workplace w ON w.id = m.workplace_id
            """;
        const string group = " GROUP BY w.employer, w.id, w.name, m.category";
        IEnumerable<Row> rows;
        if (ballot.Status == "draft")
        {
            var (where, args) = OpenBallot.ElectorateSql(ballot.Def.Electorate);
            rows = await conn.QueryAsync<Row>(columns + where + group, args, tx);
        }
        else
            rows = await conn.QueryAsync<Row>(columns + " JOIN ballot_elector e ON e.member_id = m.id WHERE e.ballot_id = @id" + group, new { id = ballot.Id }, tx);
        var contacts = (await conn.QueryAsync<(string Name, string? Email)>("SELECT name, contact_email FROM employer", transaction: tx))
            .ToDictionary(x => x.Name, x => x.Email, StringComparer.Ordinal);
        return rows.GroupBy(r => r.Employer, StringComparer.Ordinal).OrderBy(g => g.Key, StringComparer.Ordinal).Select(g => new EmployerFigures(
            g.Key, contacts.GetValueOrDefault(g.Key),
            g.GroupBy(r => (r.WorkplaceId, r.WorkplaceName)).Select(w => new WorkplaceFigure(w.Key.WorkplaceId, w.Key.WorkplaceName, w.Sum(r => r.N)))
                .OrderBy(w => w.Name, StringComparer.Ordinal).ToList(),
            g.GroupBy(r => (r.Category, r.CategoryLabel)).Select(c => new CategoryFigure(c.Key.Category, c.Key.CategoryLabel, c.Sum(r => r.N)))
                .OrderBy(c => c.Label, StringComparer.Ordinal).ToList(),
            g.Sum(r => r.N))).ToList();
    }
}
