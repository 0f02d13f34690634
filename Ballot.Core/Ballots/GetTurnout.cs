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
        public long Voted { get; init; }
    }

    private sealed class HourRow
    {
        public DateTimeOffset VotedHour { get; init; }
        public long N { get; init; }
    }

    public static decimal Percent(long part, long whole) => whole == 0 ? 0m : Math.Floor(part * 10000m / whole) / 100m;

    public sealed class Handler(Db db) : IRequestHandler<Query, View>
    {
        public async Task<View> Handle(Query q, CancellationToken ct)
        {
            await using var conn = await db.OpenAsync(ct);
            var ballot = await BallotRow.LoadAsync(conn, q.Id);
            var rows = (await conn.QueryAsync<Row>("""
                SELECT c.constituency, c.name, c.entitled, coalesce(v.voted, 0) AS voted
                FROM ballot_constituency c
                LEFT JOIN (SELECT constituency, SUM(voted) AS voted FROM ballot_elector WHERE ballot_id = @id GROUP BY constituency) v
                       ON v.constituency = c.constituency
                WHERE c.ballot_id = @id
                """, new { id = q.Id })).ToList();
            var hours = (await conn.QueryAsync<HourRow>("""
                SELECT voted_hour, COUNT(*) AS n FROM ballot_elector WHERE ballot_id = @id AND voted = 1 GROUP BY voted_hour ORDER BY voted_hour
                """, new { id = q.Id })).ToList();
            var entitled = rows.Sum(r => r.Entitled);
            var voted = rows.Sum(r => r.Voted);
            long cumulative = 0;
            return new View(ballot.Id, ballot.Status, entitled, voted, Percent(voted, entitled),
                rows.Select(r => new Constituency(r.Constituency, r.Name,
                        r.Entitled, r.Voted, Percent(r.Voted, r.Entitled)))
                    .OrderBy(c => c.Name, StringComparer.OrdinalIgnoreCase).ToList(),
                hours.Select(h => new HourPoint(h.VotedHour, h.N, cumulative += h.N)).ToList());
        }
    }
}
