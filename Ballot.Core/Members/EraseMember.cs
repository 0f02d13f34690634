using Ballot.Core.Common;
using Ballot.Core.Data;
using Dapper;
using MediatR;

namespace Ballot.Core.Members;

/// <summary>
/// Erasure (right to be forgotten): the name and email go, the row stays, so every count a past ballot
/// made over this member (entitled to vote, voted) stays what it was.
/// </summary>
public static class EraseMember
{
    public sealed record Command(string MembershipNumber) : IRequest<Unit>;

    public sealed class Handler(Db db, TimeProvider clock) : IRequestHandler<Command, Unit>
    {
        public async Task<Unit> Handle(Command cmd, CancellationToken ct)
        {
            await using var conn = await db.OpenAsync(ct);
            var n = await conn.ExecuteAsync("""
                UPDATE member SET first_name = NULL, last_name = NULL, email = NULL,
                       erased_at = coalesce(erased_at, @now), updated_at = @now
                WHERE membership_number = @MembershipNumber
                """, new { cmd.MembershipNumber, now = clock.GetUtcNow() });
            if (n == 0) throw new NotFound($"No member with membership number '{cmd.MembershipNumber}'.");
            return Unit.Value;
        }
    }
}
