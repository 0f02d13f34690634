using Ballot.Core.Ballots.Voting;
using Ballot.Core.Data;
using Ballot.Core.Sealing;
using MediatR;
using Microsoft.Extensions.Options;

namespace Ballot.Core.Ballots;

/// <summary>
/// This API process's stock of precomputed sealing slots for a ballot (ADR 0905): how many votes it can seal from
/// stock before it seals directly, and how many it has. Each process keeps its own stock, in memory only, so the
/// answer is the process's that answers the request. Counts only: no slot, no randomness, no choice.
/// </summary>
public static class GetSealingStock
{
    /// <param name="Started">whether this process has started the ballot's pools (its first vote or voting page).</param>
    /// <param name="Full">every pool is at its capacity: a burst of that many votes per question is sealed from stock.</param>
    public sealed record View(long BallotId, string Status, int SlotsPerQuestion, bool Started, bool Full, IReadOnlyList<SealingStock> Pools);

    public sealed record Query(long Id) : IRequest<View>;

    public sealed class Handler(Db db, BallotSealer sealer, IOptions<BallotOptions> options) : IRequestHandler<Query, View>
    {
        public async Task<View> Handle(Query q, CancellationToken ct)
        {
            await using var conn = await db.OpenAsync(ct);
            var ballot = await BallotRow.LoadWithoutResultAsync(conn, q.Id);
            var pools = sealer.StockOf(q.Id);
            return new View(ballot.Id, ballot.Status, options.Value.SealingSlotsPerQuestion, pools.Count > 0,
                pools.Count > 0 && pools.All(p => p.Ready == p.Capacity), pools);
        }
    }
}
