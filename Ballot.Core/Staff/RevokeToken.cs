using Ballot.Core.Common;
using Ballot.Core.Data;
using Dapper;
using MediatR;

namespace Ballot.Core.Staff;

public static class RevokeToken
{
    public sealed record Command(long Id) : IRequest<Unit>;

    public sealed class Handler(Db db, TimeProvider clock) : IRequestHandler<Command, Unit>
    {
        public async Task<Unit> Handle(Command cmd, CancellationToken ct)
        {
            await using var conn = await db.OpenAsync(ct);
            var n = await conn.ExecuteAsync(
                "UPDATE staff_token SET revoked_at = @now WHERE id = @Id AND revoked_at IS NULL",
                new { cmd.Id, now = clock.GetUtcNow() });
            if (n == 0)
            {
                var exists = await conn.ExecuteScalarAsync<long>("SELECT COUNT(*) FROM staff_token WHERE id = @Id", new { cmd.Id });
                throw exists == 0 ? new NotFound($"No token with id {cmd.Id}.") : new Conflict($"Token {cmd.Id} is already revoked.");
            }
            return Unit.Value;
        }
    }
}
