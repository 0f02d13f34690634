using System.Text;
using Ballot.Core.Common;
using Ballot.Core.Data;
using Dapper;
using MediatR;

namespace Ballot.Core.Members;

public static class ListWorkplaces
{
    public sealed record Query(string? Employer = null, string? Region = null, string? Q = null, int Page = 1, int PageSize = 50)
        : IRequest<Paged<WorkplaceSummary>>, IValidatable
    {
        public void Validate(Problems p)
        {
            p.Paging(Page, PageSize, 1000);
            p.MaxLength("q", Q, 200).MaxLength("employer", Employer, 200).MaxLength("region", Region, 200);
        }
    }

    public sealed class WorkplaceSummary
    {
        public long Id { get; init; }
        public string Name { get; init; } = "";
        public string Employer { get; init; } = "";
        public string Region { get; init; } = "";
        public long Members { get; init; }
    }

    public sealed class Handler(Db db) : IRequestHandler<Query, Paged<WorkplaceSummary>>
    {
        public async Task<Paged<WorkplaceSummary>> Handle(Query q, CancellationToken ct)
        {
            var where = new StringBuilder(" WHERE 1 = 1");
            if (!string.IsNullOrWhiteSpace(q.Employer)) where.Append(" AND lower(w.employer) = lower(@Employer)");
            if (!string.IsNullOrWhiteSpace(q.Region)) where.Append(" AND lower(w.region) = lower(@Region)");
            if (!string.IsNullOrWhiteSpace(q.Q)) where.Append(" AND lower(w.name) LIKE @pattern");
            var args = new { q.Employer, q.Region, pattern = "%" + q.Q?.Trim().ToLowerInvariant() + "%", limit = q.PageSize, offset = Paging.Offset(q.Page, q.PageSize) };
            await using var conn = await db.OpenAsync(ct);
            var total = await conn.ExecuteScalarAsync<long>("SELECT COUNT(*) FROM workplace w" + where, args);
            var rows = await conn.QueryAsync<WorkplaceSummary>($"""
                SELECT w.id AS Id, w.name AS Name, w.employer AS Employer, w.region AS Region,
                       (SELECT COUNT(*) FROM member m WHERE m.workplace_id = w.id AND m.status = 'active') AS Members
                FROM workplace w {where}
                ORDER BY w.name, w.employer LIMIT @limit OFFSET @offset
                """, args);
            return new Paged<WorkplaceSummary>(rows.AsList(), q.Page, q.PageSize, total);
        }
    }
}
