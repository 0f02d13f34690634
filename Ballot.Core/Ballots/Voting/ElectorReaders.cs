using System.Collections.Concurrent;
using System.Data.Common;
using Ballot.Core.Data;

namespace Ballot.Core.Ballots.Voting;

/// <summary>
/// Reads an elector by credential hash from the database: a few connections of its own, each with its statement
/// prepared once, instead of opening a pooled connection and running its set-up per lookup. Used through
/// <see cref="ElectorLookup"/>.
/// </summary>
public sealed class ElectorReaders(Db db) : IAsyncDisposable
{
    // SQLite: keep a reader per concurrent request (a connection is a file handle). PostgreSQL: connections are a
    // server-wide budget, so readers go back to Npgsql's pool after each lookup.
    private readonly int _maxIdle = db.Dialect.KeepsIdleConnections ? 64 : 0;
    private readonly ConcurrentBag<Reader> _idle = [];

    public async Task<ElectorState?> FindAsync(string hash, CancellationToken ct)
    {
        var reader = _idle.TryTake(out var r) ? r : await Reader.OpenAsync(db, ct);
        try
        {
            var state = await reader.FindAsync(hash, ct);
            if (_idle.Count < _maxIdle) _idle.Add(reader);
            else await reader.DisposeAsync();
            return state;
        }
        catch
        {
            await reader.DisposeAsync();
            throw;
        }
    }

    public async ValueTask DisposeAsync()
    {
        while (_idle.TryTake(out var r)) await r.DisposeAsync();
    }

    private sealed class Reader(DbConnection conn, DbCommand cmd, DbParameter hash) : IAsyncDisposable
    {
        public static async Task<Reader> OpenAsync(Db db, CancellationToken ct)
        {
            var conn = await db.OpenOwnAsync(ct);
            // Small: another connection's commit empties this cache before the next lookup (WAL snapshot changed),
            // so a large one only costs more to clear. Votes mostly go through ElectorIndex instead.
            await db.Dialect.SetPageCacheAsync(conn, null, 512, ct);
            var cmd = conn.CreateCommand();
            cmd.CommandText = """
                SELECT e.ballot_id, e.constituency, e.voted, b.status, b.opens_at, b.closes_at, e.member_id
                FROM ballot_elector e JOIN ballot b ON b.id = e.ballot_id
                WHERE e.credential_hash = @h
                """;
            return new Reader(conn, cmd, cmd.AddParameter("h", ""));
        }

        public async Task<ElectorState?> FindAsync(string credentialHash, CancellationToken ct)
        {
            hash.Value = credentialHash;
            await using var r = await cmd.ExecuteReaderAsync(ct);
            if (!await r.ReadAsync(ct)) return null;
            return new ElectorState
            {
                BallotId = r.GetInt64(0), Constituency = r.GetString(1), Voted = r.GetInt64(2), Status = r.GetString(3),
                OpensAt = DapperSetup.Parse(r.GetValue(4)), ClosesAt = DapperSetup.Parse(r.GetValue(5)), CredentialHash = credentialHash,
                MemberId = r.GetInt64(6),
            };
        }

        public async ValueTask DisposeAsync()
        {
            await cmd.DisposeAsync();
            await conn.DisposeAsync();
        }
    }
}
