using Ballot.Core.Data;
using MediatR;

namespace Ballot.Core.Ballots;

public static class GetBallot
{
    public sealed record Query(long Id) : IRequest<BallotView>;

    public sealed class Handler(Db db) : IRequestHandler<Query, BallotView>
    {
        public async Task<BallotView> Handle(Query q, CancellationToken ct)
        {
            await using var conn = await db.OpenAsync(ct);
            return await (await BallotRow.LoadWithoutResultAsync(conn, q.Id)).ToViewAsync(conn);
        }
    }
}
