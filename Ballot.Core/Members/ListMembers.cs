using System.Text;
using Ballot.Core.Common;
using Ballot.Core.Data;
using Dapper;
using MediatR;

namespace Ballot.Core.Members;

public static class ListMembers
{
    /// <param name="Workplace">a workplace id, or its name (case-insensitive)</param>
    public sealed record Query(
        string? Workplace = null, string? Employer = null, string? Region = null, string? Category = null,
        string? Status = null, string? Q = null, int Page = 1, int PageSize = 50) : IRequest<Paged<MemberView>>, IValidatable
    {
        public void Validate(Problems p)
        {
            p.Paging(Page, PageSize, 1000);
            p.OneOf("status", Status, Categories.Statuses);
            p.MaxLength("q", Q, 200).MaxLength("workplace", Workplace, 200).MaxLength("employer", Employer, 200)
             .MaxLength("region", Region, 200).MaxLength("category", Category, 50);
        }
    }

    public sealed class Handler(Db db) : IRequestHandler<Query, Paged<MemberView>>
    {
        public async Task<Paged<MemberView>> Handle(Query q, CancellationToken ct)
        {
            var where = new StringBuilder(" WHERE 1 = 1");
            var args = new DynamicParameters();
            if (!string.IsNullOrWhiteSpace(q.Workplace))
            {
                if (long.TryParse(q.Workplace, out var wid)) { where.Append(" AND w.id = @wid"); args.Add("wid", wid); }
                else { where.Append(" AND lower(w.name) = lower(@wname)"); args.Add("wname", q.Workplace.Trim()); }
            }
            if (!string.IsNullOrWhiteSpace(q.Employer)) { where.Append(" AND lower(w.employer) = lower(@employer)"); args.Add("employer", q.Employer.Trim()); }
            if (!string.IsNullOrWhiteSpace(q.Region)) { where.Append(" AND lower(w.region) = lower(@region)"); args.Add("region", q.Region.Trim()); }
            if (!string.IsNullOrWhiteSpace(q.Category)) { where.Append(" AND m.category = @category"); args.Add("category", q.Category); }
            if (!string.IsNullOrWhiteSpace(q.Status)) { where.Append(" AND m.status = @status"); args.Add("status", q.Status); }
            if (!string.IsNullOrWhiteSpace(q.Q))
            {
                // A prefix is a range on an expression index (migration 0540); a substring would read the whole register.
                string Starts(string expr) => $"({db.Dialect.ByCodePoint(expr)} >= @qlo AND {db.Dialect.ByCodePoint(expr)} < @qhi)";
                where.Append($"""
                     AND ({Starts("lower(m.membership_number)")}
                       OR {Starts("lower(coalesce(m.email, ''))")}
                       OR {Starts("lower(coalesce(m.first_name, '') || ' ' || coalesce(m.last_name, ''))")}
                       OR {Starts("lower(coalesce(m.last_name, ''))")})
                    """);
                var prefix = q.Q.Trim().ToLowerInvariant();
                args.Add("qlo", prefix);
                args.Add("qhi", prefix + char.ConvertFromUtf32(0x10FFFF));
            }
            args.Add("limit", q.PageSize);
            args.Add("offset", Paging.Offset(q.Page, q.PageSize));

            await using var conn = await db.OpenAsync(ct);
            var total = await conn.ExecuteScalarAsync<long>(
                "SELECT COUNT(*) FROM member m JOIN workplace w ON w.id = m.workplace_id" + where, args);
            var rows = await conn.QueryAsync<MemberRow>(
                MemberRow.Select + where + " ORDER BY m.membership_number LIMIT @limit OFFSET @offset", args);
            return new Paged<MemberView>(rows.Select(r => r.ToView()).ToList(), q.Page, q.PageSize, total);
        }
    }
}
