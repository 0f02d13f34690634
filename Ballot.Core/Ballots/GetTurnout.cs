using Ballot.Core.Data;
using Dapper;
using MediatR;

namespace Ballot.Core.Ballots;

/// <summary>Participation only: who has voted, never what anyone chose. Read from the turnout counters (ADR 0550).</summary>
public static class GetTurnout
{
    public sealed record Constituency(string Id, string Name, long Entitled, long Voted, decimal Percent);

    /// <param name="ConstituencyCount">how many constituencies the ballot has; Constituencies holds them all, or one page.</param>
    public sealed record View(long BallotId, string Status, long Entitled, long Voted, decimal Percent,
        IReadOnlyList<Constituency> Constituencies, IReadOnlyList<HourPoint> OverTime, int ConstituencyCount);

    public sealed record HourPoint(DateTimeOffset Hour, long Voted, long Cumulative);

    /// <param name="Page">one page of constituencies, sorted in the database, instead of all of them (25,000 for a
    /// per-workplace national ballot).</param>
    public sealed record Query(long Id, Order? Page = null) : IRequest<View>;

    /// <summary>Sort by name, entitled, voted or percent; ties by name. Descending reverses both.</summary>
    public sealed record Order(string Sort, bool Descending, int Number, int Size);

    public static readonly IReadOnlyList<string> SortColumns = ["name", "entitled", "voted", "percent"];

    private sealed class Row
    {
        public string Constituency { get; init; } = "";
        public string Name { get; init; } = "";
        public long Entitled { get; init; }
        public long Voted { get; init; }
    }

    public static decimal Percent(long part, long whole) => whole == 0 ? 0m : Math.Floor(part * 10000m / whole) / 100m;

    public sealed class Handler(Db db) : IRequestHandler<Query, View>
    {
        public async Task<View> Handle(Query q, CancellationToken ct)
        {
            await using var conn = await db.OpenAsync(ct);
            var ballot = await BallotRow.LoadWithoutResultAsync(conn, q.Id);
            var (count, entitled) = await conn.QuerySingleAsync<(long, long)>(
                "SELECT COUNT(*), coalesce(SUM(entitled), 0) FROM ballot_constituency WHERE ballot_id = @id", new { id = q.Id });
            var voted = await TurnoutCounts.VotedAsync(conn, q.Id);
            var hours = await TurnoutCounts.ByHourAsync(conn, q.Id);
            var rows = await ConstituenciesAsync(conn, q);
            long cumulative = 0;
            return new View(ballot.Id, ballot.Status, entitled, voted, Percent(voted, entitled),
                rows.Select(r => new Constituency(r.Constituency, r.Name, r.Entitled, r.Voted, Percent(r.Voted, r.Entitled))).ToList(),
                hours.Select(h => new HourPoint(h.VotedHour, h.Voted, cumulative += h.Voted)).ToList(), (int)count);
        }

        private static async Task<List<Row>> ConstituenciesAsync(System.Data.Common.DbConnection conn, Query q)
        {
            // Each constituency's count is a lookup on the counters' key; sorted by name, a page walks
            // ix_ballot_constituency_name and looks up only its own 100 rows.
            const string select = """
                SELECT * FROM (
                    SELECT c.constituency, c.name, c.entitled,
                           coalesce((SELECT SUM(t.voted) FROM ballot_turnout t WHERE t.ballot_id = c.ballot_id AND t.constituency = c.constituency), 0) AS voted
                    FROM ballot_constituency c
                    WHERE c.ballot_id = @id) x
                """;
            if (q.Page is not { } page)
                return (await conn.QueryAsync<Row>(select, new { id = q.Id })).OrderBy(r => r.Name, StringComparer.OrdinalIgnoreCase).ToList();
            // Sorted and cut in the database: one page of 100 rows leaves it, not 25,000.
            var key = page.Sort switch
            {
                "entitled" => "x.entitled",
                "voted" => "x.voted",
                "percent" => "CASE WHEN x.entitled = 0 THEN 0 ELSE x.voted * 1.0 / x.entitled END",
                _ => "lower(x.name)",
            };
            var dir = page.Descending ? "DESC" : "ASC";
            return (await conn.QueryAsync<Row>($"{select} ORDER BY {key} {dir}, lower(x.name) {dir}, x.constituency {dir} LIMIT @size OFFSET @offset",
                new { id = q.Id, size = page.Size, offset = (long)(page.Number - 1) * page.Size })).ToList();
        }
    }
}
