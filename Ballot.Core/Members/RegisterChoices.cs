using Ballot.Core.Data;
using Dapper;
using MediatR;

namespace Ballot.Core.Members;

/// <summary>The categories and regions a register holds, for filters and audience pickers (both lists are short).</summary>
public static class RegisterChoices
{
    public sealed record Category(string Code, string Label);

    public sealed record View(IReadOnlyList<Category> Categories, IReadOnlyList<string> Regions);

    public sealed record Query : IRequest<View>;

    public sealed class Handler(Db db) : IRequestHandler<Query, View>
    {
        public async Task<View> Handle(Query q, CancellationToken ct)
        {
            await using var conn = await db.OpenAsync(ct);
            var categories = (await conn.QueryAsync<Category>("SELECT code AS Code, label AS Label FROM member_category ORDER BY label")).AsList();
            // ix_workplace_region: a scan of the index, not of the table.
            var regions = (await conn.QueryAsync<string>("SELECT DISTINCT region FROM workplace ORDER BY region")).AsList();
            return new View(categories, regions);
        }
    }
}
