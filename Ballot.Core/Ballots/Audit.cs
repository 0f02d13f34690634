using System.Data.Common;
using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Dapper;

namespace Ballot.Core.Ballots;

public sealed class AuditEntry
{
    public long BallotId { get; init; }
    public long Seq { get; init; }
    public string At { get; init; } = "";
    public string Event { get; init; } = "";
    public string Actor { get; init; } = "";
    public string Data { get; init; } = "";
    public string PrevHash { get; init; } = "";
    public string Hash { get; init; } = "";
}

/// <summary>
/// The ballot's append-only audit chain. Each entry's hash covers its fields and the previous entry's hash, so a
/// rewritten, removed or reordered entry shows up when the chain is recomputed. Triggers refuse UPDATE, DELETE and TRUNCATE;
/// entries cut from the end are caught by the anchors the result and the signed certificate keep (<see cref="AuditAnchors"/>).
/// </summary>
public static class Audit
{
    public const string Genesis = "0000000000000000000000000000000000000000000000000000000000000000";

    /// <summary>Appends inside the caller's write transaction; bumping ballot.audit_seq locks the ballot row, so entries never fork.</summary>
    public static async Task AppendAsync(DbConnection conn, DbTransaction tx, long ballotId, string ev, string actor, object data, DateTimeOffset at)
    {
        var seq = await conn.ExecuteScalarAsync<long>(
            "UPDATE ballot SET audit_seq = audit_seq + 1 WHERE id = @ballotId RETURNING audit_seq", new { ballotId }, tx);
        var prev = seq == 1 ? Genesis : await conn.ExecuteScalarAsync<string>(
            "SELECT hash FROM ballot_audit WHERE ballot_id = @ballotId AND seq = @prevSeq", new { ballotId, prevSeq = seq - 1 }, tx);
        var entry = new AuditEntry
        {
            BallotId = ballotId, Seq = seq, At = at.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss.fff'Z'", CultureInfo.InvariantCulture),
            Event = ev, Actor = actor, Data = JsonSerializer.Serialize(data, StoredDefinition.Json), PrevHash = prev!,
        };
        await conn.ExecuteAsync("""
            INSERT INTO ballot_audit (ballot_id, seq, at, event, actor, data, prev_hash, hash)
            VALUES (@BallotId, @Seq, @At, @Event, @Actor, @Data, @PrevHash, @hash)
            """, new { entry.BallotId, entry.Seq, entry.At, entry.Event, entry.Actor, entry.Data, entry.PrevHash, hash = HashOf(entry) }, tx);
    }

    public static string HashOf(AuditEntry e)
    {
        var text = string.Join('\n', e.PrevHash, e.BallotId.ToString(CultureInfo.InvariantCulture), e.Seq.ToString(CultureInfo.InvariantCulture),
            e.At, e.Event, e.Actor, e.Data);
        return Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(text)));
    }

    public static async Task<IReadOnlyList<AuditEntry>> ReadAsync(DbConnection conn, long ballotId, DbTransaction? tx = null) =>
        (await conn.QueryAsync<AuditEntry>("""
            SELECT ballot_id, seq, at, event, actor, data, prev_hash, hash FROM ballot_audit WHERE ballot_id = @ballotId ORDER BY seq
            """, new { ballotId }, tx)).ToList();

    /// <summary>A chain's length and the hash of its last entry, as the result or the certificate recorded it.</summary>
    public sealed record Anchor(long Length, string Head);

    /// <param name="RecordedEntries">ballot.audit_seq: how many entries the ballot row says were appended.</param>
    /// <param name="ResultAnchor">the chain as the result recorded it when counted (null before the count).</param>
    /// <param name="CertificateAnchor">the chain as the scrutineer's certificate signs it (null before certification).</param>
    /// <param name="CertificateSignatureValid">whether the certificate's signature verifies with the published key.</param>
    public sealed record Verification(bool Intact, int Entries, long? BrokenAtSeq, string? Problem, string? HeadHash,
        long RecordedEntries = 0, Anchor? ResultAnchor = null, Anchor? CertificateAnchor = null, bool? CertificateSignatureValid = null);

    /// <summary>The chain's current length and head, inside the caller's transaction.</summary>
    public static async Task<Anchor> HeadAsync(DbConnection conn, DbTransaction tx, long ballotId)
    {
        var seq = await conn.ExecuteScalarAsync<long>("SELECT audit_seq FROM ballot WHERE id = @ballotId", new { ballotId }, tx);
        var head = await conn.ExecuteScalarAsync<string>("SELECT hash FROM ballot_audit WHERE ballot_id = @ballotId AND seq = @seq", new { ballotId, seq }, tx);
        return new Anchor(seq, head ?? Genesis);
    }

    /// <summary>Recomputes every hash and link; reports the first entry that does not match.</summary>
    public static Verification Verify(IReadOnlyList<AuditEntry> entries, long expectedCount)
    {
        var prev = Genesis;
        for (var i = 0; i < entries.Count; i++)
        {
            var e = entries[i];
            if (e.Seq != i + 1) return new(false, entries.Count, i + 1, $"Entry {i + 1} is missing.", null, expectedCount);
            if (e.PrevHash != prev) return new(false, entries.Count, e.Seq, $"Entry {e.Seq} does not carry the hash of entry {e.Seq - 1}.", null, expectedCount);
            if (HashOf(e) != e.Hash) return new(false, entries.Count, e.Seq, $"Entry {e.Seq} ({e.Event}) was altered: its content no longer matches its hash.", null, expectedCount);
            prev = e.Hash;
        }
        if (entries.Count != expectedCount)
            return new(false, entries.Count, entries.Count + 1, $"The ballot records {expectedCount} entries but {entries.Count} remain.", null, expectedCount);
        // Every ballot's chain starts with "created": an empty one was emptied (TRUNCATE, or DELETE with the trigger dropped).
        if (entries.Count == 0) return new(false, 0, 1, "The ballot has no audit entries: its chain was emptied.", null, expectedCount);
        return new(true, entries.Count, null, null, prev, expectedCount);
    }
}
