using System.Data.Common;
using Dapper;

namespace Ballot.Core.Common;

/// <summary>
/// Claims the oldest due row of a worker's job table (bulk leaflets, print runs): pending, or running with a heartbeat
/// older than <c>staleAfter</c> (its worker died). Another worker may claim the same row first: the status check in the
/// UPDATE decides who has it, and the loser tries the next row. The table must have id, status, started_at,
/// heartbeat_at, attempts and done.
/// </summary>
internal static class JobClaims
{
    public static async Task<long?> ClaimAsync(DbConnection conn, string table, DateTimeOffset now, TimeSpan staleAfter)
    {
        var args = new { now, stale = now - staleAfter };
        const string due = "(status = 'pending' OR (status = 'running' AND heartbeat_at < @stale))";
        while (true)
        {
            var id = await conn.ExecuteScalarAsync<long?>($"SELECT id FROM {table} WHERE {due} ORDER BY id LIMIT 1", args);
            if (id is null) return null;
            var claimed = await conn.ExecuteAsync($"""
                UPDATE {table} SET status = 'running', started_at = @now, heartbeat_at = @now, attempts = attempts + 1, done = 0
                WHERE id = @id AND {due}
                """, new { id, args.now, args.stale });
            if (claimed == 1) return id;
        }
    }
}
