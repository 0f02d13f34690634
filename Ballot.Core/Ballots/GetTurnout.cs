using Ballot.Core.Data;
using Dapper;
using MediatR;

namespace Ballot.Core.Ballots;

/// <summary>Participation only: who has voted, never what anyone chose.</summary>
public static class GetTurnout
{
    public sealed record Constituency(string Id, string Name, long Entitled, long Voted, decimal Percent);

    public sealed record View(long BallotId, string Status, long Entitled, long Voted, decimal Percent,
        IReadOnlyList<Constituency> Constituencies, IReadOnlyList<HourPoint> OverTime);

    public sealed record HourPoint(DateTimeOffset Hour, long Voted, long Cumulative);

    public sealed record Query(long Id) : IRequest<View>;

    private sealed class Row
    {
        public string Constituency { get; init; } = "";
        public string Name { get; init; } = "";
        public long Entitled { get; init; }
    }

    public static decimal Percent(long part, long whole) => whole == 0 ? 0m : Math.Floor(part * 10000m / whole) / 100m;

    public sealed class Handler(Db db) : IRequestHandler<Query, View>
    {
        public async Task<View> Handle(Query q, CancellationToken ct)
        {
            await using var conn = await db.OpenAsync(ct);
            var ballot = await BallotRow.LoadWithoutResultAsync(conn, q.Id);
            var rows = (await conn.QueryAsync<Row>(
                "SELECT constituency, name, entitled FROM ballot_constituency WHERE ballot_id = @id", new { id = q.Id })).ToList();
            var votedIn = await TurnoutCounts.ByConstituencyAsync(conn, q.Id);
            var hours = await TurnoutCounts.ByHourAsync(conn, q.Id);
            var entitled = rows.Sum(r => r.Entitled);
            var voted = votedIn.Values.Sum();
            long cumulative = 0;
            return new View(ballot.Id, ballot.Status, entitled, voted, Percent(voted, entitled),
                rows.Select(r => new Constituency(r.Constituency, r.Name,
                        r.Entitled, votedIn.GetValueOrDefault(r.Constituency), Percent(votedIn.GetValueOrDefault(r.Constituency), r.Entitled)))
                    .OrderBy(c => c.Name, StringComparer.OrdinalIgnoreCase).ToList(),
                hours.Select(h => new HourPoint(h.VotedHour, h.Voted, cumulative += h.Voted)).ToList());
        }
    }
}
