using System.Data.Common;
using Ballot.Core.Common;
using Ballot.Core.Sealing;
using Dapper;

namespace Ballot.Core.Ballots.Count;

/// <summary>A ballot's completed ceremony as stored in ballot_ceremony: t of n and the joint key.</summary>
public sealed record StoredCeremony(CeremonySettings Settings, JointKey Key)
{
    private sealed class Row
    {
        public int Threshold { get; init; }
        public int Trustees { get; init; }
        public string? PublicKey { get; init; }
        public string? VerificationKeys { get; init; }
        public string? Fingerprint { get; init; }
    }

    /// <summary>The ceremony, or null while it is not complete.</summary>
    public static async Task<StoredCeremony?> LoadAsync(DbConnection conn, DbTransaction? tx, long ballotId)
    {
        var row = await conn.QuerySingleOrDefaultAsync<Row>("""
            SELECT threshold, trustees, public_key AS publickey, verification_keys AS verificationkeys, fingerprint
            FROM ballot_ceremony WHERE ballot_id = @ballotId AND completed_at IS NOT NULL
            """, new { ballotId }, tx);
        if (row?.PublicKey is null || row.VerificationKeys is null) return null;
        var key = new JointKey(Element.Decode(Convert.FromBase64String(row.PublicKey)),
            SealingJson.Deserialize<Element[]>(row.VerificationKeys), row.Fingerprint ?? "");
        return new StoredCeremony(new CeremonySettings(ballotId, row.Threshold, row.Trustees), key);
    }
}

/// <summary>
/// The count's server side (ADR 0904, 0908): each trustee's decryption shares checked against the stored sums with its one
/// batched proof, any t of them combined into (L·m)·G per option with integer Lagrange weights, and m looked up in a
/// table as large as L times the largest constituency's electorate.
/// </summary>
public static class SealedCount
{
    /// <summary>Checks one trustee's decryption shares against the sums (one batched proof); a failure names the trustee.</summary>
    public static void Check(StoredCeremony ceremony, IReadOnlyList<Ciphertext> sums, BoardDecryption decryption)
    {
        var trustee = decryption.Trustee;
        const string field = "shares";
        if (trustee < 1 || trustee > ceremony.Settings.Trustees)
            throw ValidationFailed.For("trustee", $"There is no trustee {trustee}: the ballot has trustees 1 to {ceremony.Settings.Trustees}.");
        if (decryption.Proof?.Challenge is null || decryption.Proof.Response is null)
            throw ValidationFailed.For("proof", $"Trustee {trustee}'s decryption must carry its proof (a challenge and a response).");
        if (decryption.Shares is null || decryption.Shares.Count != sums.Count)
            throw ValidationFailed.For(field, $"Trustee {trustee} sent {decryption.Shares?.Count ?? 0} decryption shares; the board has {sums.Count} sums to decrypt.");
        if (!BatchDecryption.Verify(SealingContext.ForBallot(ceremony.Settings.BallotId), ceremony.Key, sums, decryption))
            throw ValidationFailed.For(field, $"Trustee {trustee}'s decryption shares do not verify against the sums: they are refused.");
    }

    /// <summary>
    /// The totals of every sum from the decryptions of the first t trustees (by index), each already checked with
    /// <see cref="Check"/>, so not checked a second time.
    /// </summary>
    public static IReadOnlyList<BoardTotal> Open(StoredCeremony ceremony, IReadOnlyList<BoardSum> sums, IReadOnlyList<BoardDecryption> decryptions, long largestElectorate)
    {
        long[] values;
        try
        {
            values = ThresholdDecryption.Open(ceremony.Settings, PaperSums.Flatten(sums), decryptions, Math.Max(1, largestElectorate));
        }
        catch (SealingException e)
        {
            throw new Conflict(e.Message);
        }
        var totals = new List<BoardTotal>(sums.Count);
        var at = 0;
        foreach (var s in sums)
        {
            totals.Add(new BoardTotal(s.Constituency, s.Question, values[at..(at + s.Options.Count)]));
            at += s.Options.Count;
        }
        return totals;
    }
}
