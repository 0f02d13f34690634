using Ballot.Core.Common;
using Ballot.Core.Data;
using Dapper;
using MediatR;

namespace Ballot.Core.Staff;

public static class CreateToken
{
    public sealed record Command(string Role, string Name) : IRequest<Created>, IValidatable
    {
        public void Validate(Problems p) => p.Required("name", Name).Required("role", Role).OneOf("role", Role, Roles.All.ToArray());
    }

    /// <summary>The token itself is shown once, here, and never stored.</summary>
    public sealed record Created(long Id, string Name, string Role, string Token);

    public sealed class Handler(Db db, TimeProvider clock) : IRequestHandler<Command, Created>
    {
        public async Task<Created> Handle(Command cmd, CancellationToken ct)
        {
            var token = TokenHash.NewToken();
            await using var conn = await db.OpenAsync(ct);
            var id = await conn.ExecuteScalarAsync<long>("""
                INSERT INTO staff_token (name, role, token_hash, prefix, created_at)
                VALUES (@Name, @Role, @hash, @prefix, @now)
                RETURNING id
                """, new { cmd.Name, cmd.Role, hash = TokenHash.Of(token), prefix = token[..10], now = clock.GetUtcNow() });
            return new Created(id, cmd.Name, cmd.Role, token);
        }
    }
}
