using Ballot.Core.Common;
using Ballot.Core.Data;
using Dapper;
using MediatR;

namespace Ballot.Core.Members;

/// <summary>Employers as the workplaces name them, with where their notices go and the email domains that are theirs.</summary>
public static class ListEmployers
{
    public sealed record Query(string? Q = null, int Page = 1, int PageSize = 50) : IRequest<Paged<EmployerView>>, IValidatable
    {
        public void Validate(Problems p) => p.Paging(Page, PageSize, 1000).MaxLength("q", Q, 200);
    }

    public sealed class Handler(Db db) : IRequestHandler<Query, Paged<EmployerView>>
    {
        public async Task<Paged<EmployerView>> Handle(Query q, CancellationToken ct)
        {
            await using var conn = await db.OpenAsync(ct);
            var args = new { pattern = "%" + q.Q?.Trim().ToLowerInvariant() + "%", limit = q.PageSize, offset = Paging.Offset(q.Page, q.PageSize) };
            const string names = "SELECT DISTINCT employer AS name FROM workplace WHERE lower(employer) LIKE @pattern";
            var total = await conn.ExecuteScalarAsync<long>($"SELECT COUNT(*) FROM ({names}) n", args);
            var page = (await conn.QueryAsync<string>($"{names} ORDER BY name LIMIT @limit OFFSET @offset", args)).AsList();
            return new Paged<EmployerView>(await EmployerView.LoadAsync(conn, page), q.Page, q.PageSize, total);
        }
    }
}

/// <summary>One employer: its workplaces and active members, its contact email for notices, its email domains.</summary>
public sealed record EmployerView(string Name, string? ContactEmail, IReadOnlyList<string> Domains, long Workplaces, long ActiveMembers)
{
    private sealed class Row
    {
        public string Name { get; init; } = "";
        public string? ContactEmail { get; init; }
        public long Workplaces { get; init; }
        public long ActiveMembers { get; init; }
    }

    private sealed class DomainRow
    {
        public string Employer { get; init; } = "";
        public string Domain { get; init; } = "";
    }

    /// <summary>The named employers that have workplaces, in the order given.</summary>
    public static async Task<IReadOnlyList<EmployerView>> LoadAsync(System.Data.Common.DbConnection conn, IReadOnlyList<string> names,
        System.Data.Common.DbTransaction? tx = null)
    {
        var result = new List<EmployerView>();
        foreach (var name in names)
        {
            var row = await conn.QuerySingleOrDefaultAsync<Row>("""
                SELECT w.employer AS Name, (SELECT e.contact_email FROM employer e WHERE e.name = w.employer) AS ContactEmail,
                       COUNT(DISTINCT w.id) AS Workplaces,
                       (SELECT COUNT(*) FROM member m JOIN workplace x ON x.id = m.workplace_id WHERE x.employer = w.employer AND m.status = 'active') AS ActiveMembers
                FROM workplace w WHERE w.employer = @name GROUP BY w.employer
                """, new { name }, tx);
            if (row is null) continue;
            var domains = (await conn.QueryAsync<DomainRow>("SELECT employer, domain FROM employer_email_domain WHERE employer = @name ORDER BY domain", new { name }, tx))
                .Select(d => d.Domain).ToList();
            result.Add(new EmployerView(row.Name, row.ContactEmail, domains, row.Workplaces, row.ActiveMembers));
        }
        return result;
    }
}
