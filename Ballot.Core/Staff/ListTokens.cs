using Ballot.Core.Data;
using Dapper;
using MediatR;

namespace Ballot.Core.Staff;

public static class ListTokens
{
    public sealed record Query : IRequest<IReadOnlyList<TokenView>>;

    public sealed class TokenView
    {
        public long Id { get; init; }
        public string Name { get; init; } = "";
        public string Role { get; init; } = "";
        public string Prefix { get; init; } = "";
        public DateTimeOffset CreatedAt { get; init; }
        public DateTimeOffset? RevokedAt { get; init; }
    }

    public sealed class Handler(Db db) : IRequestHandler<Query, IReadOnlyList<TokenView>>
    {
        public async Task<IReadOnlyList<TokenView>> Handle(Query q, CancellationToken ct)
        {
            await using var conn = await db.OpenAsync(ct);
            var rows = await conn.QueryAsync<TokenView>("""
                SELECT id, name, role, prefix, created_at AS CreatedAt, revoked_at AS RevokedAt
                FROM staff_token ORDER BY id
                """);
            return rows.AsList();
        }
    }
}
