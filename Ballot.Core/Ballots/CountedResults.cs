using System.Collections.Concurrent;
using System.Data.Common;
using Dapper;

namespace Ballot.Core.Ballots;

/// <summary>
/// The counted result of a closed ballot, read and parsed once per process: a count never changes once made, and the
/// hash stored beside it names it, so a page showing it reads two columns instead of megabytes of JSON (25,000
/// constituencies) on every request. Audit verification and certification read the stored JSON afresh (BallotRow.LoadAsync).
/// </summary>
public static class CountedResults
{
    private const int Kept = 16;
    private static readonly ConcurrentDictionary<(long BallotId, string Hash), BallotResult> Cache = new();

    /// <summary>The ballot's count, or null before it is counted.</summary>
    public static async Task<BallotResult?> OfAsync(DbConnection conn, BallotRow ballot) =>
        ballot.ResultHash is { } hash ? await GetAsync(conn, ballot.Id, hash) : null;

    public static async Task<BallotResult> GetAsync(DbConnection conn, long ballotId, string resultHash)
    {
        if (Cache.TryGetValue((ballotId, resultHash), out var cached)) return cached;
        var json = await conn.ExecuteScalarAsync<string>("SELECT result FROM ballot_count WHERE ballot_id = @ballotId", new { ballotId })
                   ?? throw new Common.Conflict("There is no result before the ballot closes.");
        var result = BallotResult.Parse(json);
        // Only a result that is what the hash says is kept: one changed behind the count's back is read afresh each time,
        // and the audit check names it.
        if (BallotResult.HashOf(json) != resultHash) return result;
        if (Cache.Count >= Kept) Cache.Clear();
        Cache[(ballotId, resultHash)] = result;
        return result;
    }
}
