using Ballot.Core.Data;
using Dapper;
using MediatR;

namespace Ballot.Core.Staff;

public static class Authenticate
{
    public sealed record Query(string Token) : IRequest<StaffIdentity?>;

    public sealed class StaffIdentity
    {
        public long Id { get; init; }
        public string Name { get; init; } = "";
        public string Role { get; init; } = "";
    }

    public sealed class Handler(Db db) : IRequestHandler<Query, StaffIdentity?>
    {
        public async Task<StaffIdentity?> Handle(Query q, CancellationToken ct)
        {
            if (!q.Token.StartsWith(TokenHash.Prefix, StringComparison.Ordinal) || q.Token.Length > 100) return null;
            await using var conn = await db.OpenAsync(ct);
            return await conn.QuerySingleOrDefaultAsync<StaffIdentity>(
                "SELECT id, name, role FROM staff_token WHERE token_hash = @hash AND revoked_at IS NULL",
                new { hash = TokenHash.Of(q.Token) });
        }
    }
}
