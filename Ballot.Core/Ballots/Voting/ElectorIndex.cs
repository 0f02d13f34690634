using System.Collections.Concurrent;
using System.Runtime.InteropServices;
using Ballot.Core.Data;
using Microsoft.Extensions.Logging;

namespace Ballot.Core.Ballots.Voting;

/// <summary>
/// Which ballot and constituency each credential of an open ballot belongs to, held in memory. Once a ballot is open
/// neither ever changes (the electorate is frozen), so a vote needs no database read before the writer's claim: the
/// claim, inside the writer's transaction, still decides whether the credential was already used and whether the
/// ballot is still open. Loaded per ballot, in the background, the first time one of its credentials is found in the
/// database; until then, and for anything not in it, lookups go to the database. It holds what the elector table holds
/// (credential hash, member id, constituency) and nothing about any vote. See docs/decisions/0212-vote-writer-pages.md.
/// </summary>
public sealed class ElectorIndex(Db db, ILogger<ElectorIndex> log)
{
    /// <summary>The 32 bytes of a credential hash, compared as four words: a quarter of the memory of the hex text.</summary>
    private readonly record struct Key(ulong A, ulong B, ulong C, ulong D)
    {
        public static bool TryParse(string hex, out Key key)
        {
            key = default;
            if (hex.Length != 64) return false;
            Span<byte> bytes = stackalloc byte[32];
            if (Convert.FromHexString(hex, bytes, out _, out var written) != System.Buffers.OperationStatus.Done || written != 32) return false;
            var words = MemoryMarshal.Cast<byte, ulong>(bytes);
            key = new Key(words[0], words[1], words[2], words[3]);
            return true;
        }
    }

    private readonly record struct Elector(long MemberId, int Constituency);

    private sealed class Electorate(long ballotId, string[] constituencies, Dictionary<Key, Elector> byHash)
    {
        public long BallotId => ballotId;
        public bool TryFind(Key key, out long memberId, out string constituency)
        {
            var found = byHash.TryGetValue(key, out var e);
            memberId = e.MemberId;
            constituency = found ? constituencies[e.Constituency] : "";
            return found;
        }
    }

    // Read on every vote without a lock or an allocation; replaced whole (under the lock) when a ballot comes or goes.
    private volatile Electorate[] _loaded = [];
    private readonly Lock _change = new();
    private readonly ConcurrentDictionary<long, Task> _loading = new();

    public bool TryFind(string credentialHash, out long ballotId, out long memberId, out string constituency)
    {
        ballotId = 0;
        memberId = 0;
        constituency = "";
        var loaded = _loaded;
        if (loaded.Length == 0 || !Key.TryParse(credentialHash, out var key)) return false;
        foreach (var e in loaded)
        {
            if (!e.TryFind(key, out memberId, out constituency)) continue;
            ballotId = e.BallotId;
            return true;
        }
        return false;
    }

    /// <summary>Starts loading a ballot's electorate, once; lookups use the database until it is in.</summary>
    public void Load(long ballotId)
    {
        if (IsLoaded(ballotId)) return;
        _loading.GetOrAdd(ballotId, id => Task.Run(() => LoadAsync(id)));
    }

    /// <summary>The API calls this at start: every ballot open now is loaded before its votes arrive.</summary>
    public async Task LoadOpenBallotsAsync(CancellationToken ct)
    {
        await using var conn = await db.OpenAsync(ct);
        await using var cmd = conn.CreateCommand();
        cmd.CommandText = "SELECT id FROM ballot WHERE status = 'open'";
        var ids = new List<long>();
        await using (var r = await cmd.ExecuteReaderAsync(ct))
            while (await r.ReadAsync(ct)) ids.Add(r.GetInt64(0));
        foreach (var id in ids) Load(id);
    }

    public Task WhenLoaded(long ballotId) => _loading.TryGetValue(ballotId, out var t) ? t : Task.CompletedTask;

    /// <summary>A ballot that has closed needs no index; its credentials go back to the database path.</summary>
    public void Forget(long ballotId)
    {
        lock (_change)
        {
            if (!IsLoaded(ballotId)) return;
            _loaded = [.. _loaded.Where(e => e.BallotId != ballotId)];
            _loading.TryRemove(ballotId, out _);
        }
    }

    private bool IsLoaded(long ballotId) => Array.Exists(_loaded, e => e.BallotId == ballotId);

    private async Task LoadAsync(long ballotId)
    {
        try
        {
            await using var conn = await db.OpenAsync();
            await using var cmd = conn.CreateCommand();
            cmd.CommandText = "SELECT credential_hash, constituency, member_id FROM ballot_elector WHERE ballot_id = @b";
            cmd.AddParameter("b", ballotId);
            var byHash = new Dictionary<Key, Elector>();
            var constituencies = new List<string>();
            var seen = new Dictionary<string, int>(StringComparer.Ordinal);
            await using (var r = await cmd.ExecuteReaderAsync())
            {
                while (await r.ReadAsync())
                {
                    if (!Key.TryParse(r.GetString(0), out var key)) continue;
                    var c = r.GetString(1);
                    if (!seen.TryGetValue(c, out var i))
                    {
                        i = constituencies.Count;
                        constituencies.Add(c);
                        seen[c] = i;
                    }
                    byHash[key] = new Elector(r.GetInt64(2), i);
                }
            }
            var electorate = new Electorate(ballotId, [.. constituencies], byHash);
            lock (_change)
                if (!IsLoaded(ballotId)) _loaded = [.. _loaded, electorate];
        }
        catch (Exception ex)
        {
            // Nothing depends on the index: lookups keep going to the database, and a later vote tries loading again.
            log.LogWarning(ex, "Loading the electorate of ballot {BallotId} into memory failed", ballotId);
            _loading.TryRemove(ballotId, out _);
        }
    }
}
