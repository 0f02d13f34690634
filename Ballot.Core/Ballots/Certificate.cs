using System.Data.Common;
using System.Text.Json;
using Dapper;

namespace Ballot.Core.Ballots;

/// <summary>What the scrutineer's signature covers: the result, the electorate and the audit chain up to its head.</summary>
public sealed record CertificateStatement(
    long BallotId, string Title, string ResultHash, string ReceiptsHash, string? ElectorateHash, long Entitled, long VotesCast,
    long AuditLength, string AuditHead, DateTimeOffset CertifiedAt, string CertifiedBy, string KeyFingerprint)
{
    public string Serialize() => JsonSerializer.Serialize(this, StoredDefinition.Json);

    public static CertificateStatement? TryParse(string json)
    {
        try { return JsonSerializer.Deserialize<CertificateStatement>(json, StoredDefinition.Json); }
        catch (JsonException) { return null; }
    }
}

/// <summary>
/// A certificate as stored and published. <see cref="Statement"/> is the exact text signed (UTF-8), so anyone can check
/// it with the public key: <c>openssl dgst -sha256 -verify key.pem -signature sig.der statement.json</c>.
/// </summary>
public sealed record Certificate(string Statement, string Signature, string Algorithm, string PublicKey, string KeyFingerprint)
{
    public static async Task<Certificate?> LoadAsync(DbConnection conn, long ballotId, DbTransaction? tx = null) =>
        await conn.QuerySingleOrDefaultAsync<Certificate>($"""
            SELECT statement, signature, '{ScrutineerKey.Algorithm}' AS algorithm, public_key AS publickey, key_fingerprint AS keyfingerprint
            FROM ballot_certificate WHERE ballot_id = @ballotId
            """, new { ballotId }, tx);
}

/// <summary>
/// The chain checked against what is kept outside its own rows: the result records the chain's length and head when
/// it is counted, and the certificate signs them with the scrutineer's key. Entries cut from the end, with
/// ballot.audit_seq lowered to match, verify link by link but no longer reach those anchors.
/// </summary>
public static class AuditAnchors
{
    public static Audit.Verification Verify(BallotRow ballot, IReadOnlyList<AuditEntry> entries, Certificate? certificate, ScrutineerKey key)
    {
        var v = Audit.Verify(entries, ballot.AuditSeq);
        BallotResult? result = null;
        if (ballot.Result is not null)
            try { result = BallotResult.Parse(ballot.Result); } catch (JsonException) { }
        var statement = certificate is null ? null : CertificateStatement.TryParse(certificate.Statement);
        v = v with
        {
            ResultAnchor = result is { AuditLength: > 0, AuditHead: { } h } ? new Audit.Anchor(result.AuditLength, h) : null,
            CertificateAnchor = statement is null ? null : new Audit.Anchor(statement.AuditLength, statement.AuditHead),
            CertificateSignatureValid = certificate is null ? null : SignatureValid(certificate, key),
        };
        if (!v.Intact) return v;
        if ((ResultProblem(ballot, result, entries) ?? CertificateProblem(ballot, certificate, statement, v, entries, key)) is not { } p) return v;
        return v with { Intact = false, BrokenAtSeq = p.Item1, Problem = p.Item2, HeadHash = null };
    }

    private static bool SignatureValid(Certificate c, ScrutineerKey key) =>
        ScrutineerKey.Verifies(c.Statement, c.Signature, c.PublicKey)
        && (key.PublicKeyPem is null || c.PublicKey.Trim() == key.PublicKeyPem.Trim());

    private static (long?, string)? ResultProblem(BallotRow ballot, BallotResult? result, IReadOnlyList<AuditEntry> entries)
    {
        if (ballot.ResultHash is null) return null;
        if (result is null || BallotResult.HashOf(ballot.Result!) != ballot.ResultHash)
            return (null, "The stored result no longer matches the hash recorded in the chain when it was counted.");
        var n = entries.Count;
        if (result is { AuditLength: > 0 } r)
        {
            var l = r.AuditLength;
            if (n <= l)
                return (n + 1, $"The chain ends at entry {n}, but the result was counted after entry {l} and recorded as entry {l + 1}: entries were removed from the chain's end.");
            if (entries[(int)l - 1].Hash != r.AuditHead)
                return (l, $"Entry {l} is not the entry the result recorded as the chain's head when it was counted.");
        }
        var counted = entries.LastOrDefault(e => e.Event == "counted");
        if (counted is null)
            return (n + 1, "The ballot has a result but the chain has no 'counted' entry: entries were removed from the chain's end.");
        if (ResultHashIn(counted) != ballot.ResultHash)
            return (counted.Seq, $"The stored result is not the one entry {counted.Seq} (counted) recorded: the result was replaced after the count.");
        return null;
    }

    private static (long?, string)? CertificateProblem(BallotRow ballot, Certificate? certificate, CertificateStatement? statement,
        Audit.Verification v, IReadOnlyList<AuditEntry> entries, ScrutineerKey key)
    {
        if (certificate is null)
            return ballot.Status == "certified" ? (null, "The ballot is marked certified but has no certificate.") : null;
        if (!ScrutineerKey.Verifies(certificate.Statement, certificate.Signature, certificate.PublicKey))
            return (null, "The certificate's signature does not verify with the public key it names: the certificate was altered.");
        if (v.CertificateSignatureValid != true)
            return (null, $"The certificate was signed with key {certificate.KeyFingerprint}, not with the published certification key {key.Fingerprint}.");
        if (statement is null || statement.BallotId != ballot.Id)
            return (null, "The certificate is not a certificate of this ballot.");
        if (statement.ResultHash != ballot.ResultHash)
            return (null, "The certificate signs a result other than the stored one.");
        var n = entries.Count;
        if (n < statement.AuditLength)
            return (n + 1, $"The chain ends at entry {n}, but the certificate signs a chain of {statement.AuditLength} entries: entries were removed from the chain's end.");
        if (statement.AuditLength < 1 || entries[(int)statement.AuditLength - 1].Hash != statement.AuditHead)
            return (statement.AuditLength, $"Entry {statement.AuditLength} is not the head of the chain the certificate signs.");
        return null;
    }

    private static string? ResultHashIn(AuditEntry e)
    {
        try
        {
            using var doc = JsonDocument.Parse(e.Data);
            return doc.RootElement.TryGetProperty("resultHash", out var h) && h.ValueKind == JsonValueKind.String ? h.GetString() : null;
        }
        catch (JsonException) { return null; }
    }
}
