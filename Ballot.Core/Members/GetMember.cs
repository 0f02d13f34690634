using Ballot.Core.Common;
using Ballot.Core.Data;
using Dapper;
using MediatR;

namespace Ballot.Core.Members;

public static class GetMember
{
    public sealed record Query(string MembershipNumber) : IRequest<MemberView>;

    public sealed class Handler(Db db) : IRequestHandler<Query, MemberView>
    {
        public async Task<MemberView> Handle(Query q, CancellationToken ct)
        {
            await using var conn = await db.OpenAsync(ct);
            var row = await conn.QuerySingleOrDefaultAsync<MemberRow>(
                MemberRow.Select + " WHERE m.membership_number = @MembershipNumber", new { q.MembershipNumber });
            return row?.ToView(await WorkEmail.LoadAsync(conn)) ?? throw new NotFound($"No member with membership number '{q.MembershipNumber}'.");
        }
    }
}
