using System.Data.Common;
using Dapper;

namespace Ballot.Core.Ballots;

/// <summary>
/// Who has voted, read from the counters the database keeps beside ballot_elector (migration 0550, ADR 0550): one row
/// per constituency and one per hour, never a pass over the electorate. Participation only, never a choice.
/// </summary>
public static class TurnoutCounts
{
    public sealed class Hour
    {
        public DateTimeOffset VotedHour { get; init; }
        public long Voted { get; init; }
    }

    public static Task<long> VotedAsync(DbConnection conn, long ballotId) =>
        conn.ExecuteScalarAsync<long>("SELECT coalesce(SUM(voted), 0) FROM ballot_turnout_hour WHERE ballot_id = @ballotId", new { ballotId });

    public static async Task<IReadOnlyDictionary<string, long>> ByConstituencyAsync(DbConnection conn, long ballotId) =>
        (await conn.QueryAsync<(string Constituency, long Voted)>(
            "SELECT constituency, SUM(voted) FROM ballot_turnout WHERE ballot_id = @ballotId GROUP BY constituency", new { ballotId }))
        .ToDictionary(r => r.Constituency, r => r.Voted);

    /// <summary>Votes per hour, in order; votes recorded without their hour (stored at the epoch) are in the totals only.</summary>
    public static async Task<IReadOnlyList<Hour>> ByHourAsync(DbConnection conn, long ballotId) =>
        (await conn.QueryAsync<Hour>("""
            SELECT voted_hour AS VotedHour, SUM(voted) AS Voted FROM ballot_turnout_hour
            WHERE ballot_id = @ballotId AND voted_hour > @epoch GROUP BY voted_hour HAVING SUM(voted) <> 0 ORDER BY voted_hour
            """, new { ballotId, epoch = DateTimeOffset.UnixEpoch })).ToList();
}
