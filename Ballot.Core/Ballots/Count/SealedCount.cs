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
/// The count's server side (ADR 0904): each trustee's partial decryptions checked against the stored sums, any t of them
/// combined into m·G per option, and m solved by baby-step giant-step up to the largest constituency's electorate.
/// </summary>
public static class SealedCount
{
    /// <summary>Checks every proof of one trustee's partial decryptions; a failure names the trustee and the sum.</summary>
    public static void Check(StoredCeremony ceremony, IReadOnlyList<Ciphertext> sums, BoardDecryption decryption)
    {
        var trustee = decryption.Trustee;
        var field = "partials";
        if (trustee < 1 || trustee > ceremony.Settings.Trustees)
            throw ValidationFailed.For("trustee", $"There is no trustee {trustee}: the ballot has trustees 1 to {ceremony.Settings.Trustees}.");
        if (decryption.Partials is null || decryption.Partials.Count != sums.Count)
            throw ValidationFailed.For(field, $"Trustee {trustee} sent {decryption.Partials?.Count ?? 0} partial decryptions; the board has {sums.Count} sums to decrypt.");
        if (decryption.Partials.Any(p => p is null || p.Trustee != trustee || p.Share is null || p.Proof?.Challenge is null || p.Proof.Response is null))
            throw ValidationFailed.For(field, $"Trustee {trustee}'s partial decryptions must each be complete and carry trustee {trustee}.");
        var context = SealingContext.ForBallot(ceremony.Settings.BallotId);
        var bad = new System.Collections.Concurrent.ConcurrentBag<int>();
        Parallel.For(0, sums.Count, k =>
        {
            if (!ThresholdDecryption.Verify(context, ceremony.Key, sums[k], k, decryption.Partials[k])) bad.Add(k);
        });
        if (!bad.IsEmpty)
            throw ValidationFailed.For(field, $"Trustee {trustee}'s partial decryption of sum {bad.Min()} does not verify: it is refused.");
    }

    /// <summary>The totals of every sum from t trustees' checked partial decryptions.</summary>
    public static IReadOnlyList<BoardTotal> Open(StoredCeremony ceremony, IReadOnlyList<BoardSum> sums, IReadOnlyList<BoardDecryption> decryptions, long largestElectorate)
    {
        var flat = PaperSums.Flatten(sums);
        IReadOnlyList<Element> opened;
        try
        {
            opened = ThresholdDecryption.Combine(ceremony.Settings, SealingContext.ForBallot(ceremony.Settings.BallotId), ceremony.Key, flat,
                [.. decryptions.OrderBy(d => d.Trustee).Select(d => d.Partials)]);
        }
        catch (SealingException e)
        {
            throw new Conflict(e.Message);
        }
        var log = new DiscreteLog(Math.Max(1, largestElectorate));
        var values = new long[opened.Count];
        try
        {
            Parallel.For(0, opened.Count, k => values[k] = log.Solve(opened[k]));
        }
        catch (AggregateException e) when (e.InnerException is SealingException s)
        {
            throw new Conflict(s.Message);
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
