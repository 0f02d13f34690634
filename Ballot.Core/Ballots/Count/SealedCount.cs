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
            // A sum with no randomness (a constituency where no one voted) is (O, m·G): every share of it is O, and
            // the proof's check would multiply the identity, which the group library does not take.
            var ok = sums[k].A.IsIdentity
                ? decryption.Partials[k].Share.IsIdentity
                : ThresholdDecryption.Verify(context, ceremony.Key, sums[k], k, decryption.Partials[k]);
            if (!ok) bad.Add(k);
        });
        if (!bad.IsEmpty)
            throw ValidationFailed.For(field, $"Trustee {trustee}'s partial decryption of sum {bad.Min()} does not verify: it is refused.");
    }

    /// <summary>
    /// The totals of every sum from the partial decryptions of the first t trustees, each already checked with
    /// <see cref="Check"/>: Σ λ_i·D_i = x·A by Lagrange in the exponent (as <see cref="ThresholdDecryption.Combine"/>,
    /// without checking every proof a second time), then m from m·G.
    /// </summary>
    public static IReadOnlyList<BoardTotal> Open(StoredCeremony ceremony, IReadOnlyList<BoardSum> sums, IReadOnlyList<BoardDecryption> decryptions, long largestElectorate)
    {
        var flat = PaperSums.Flatten(sums);
        var threshold = ceremony.Settings.Threshold;
        if (decryptions.Select(d => d.Trustee).Distinct().Count() < threshold)
            throw new Conflict($"Decryption needs {threshold} trustees; {decryptions.Count} answered.");
        var chosen = decryptions.OrderBy(d => d.Trustee).Take(threshold).ToArray();
        if (chosen.Any(d => d.Partials.Count != flat.Count)) throw new Conflict("A trustee's partial decryptions do not cover every sum.");
        var indices = chosen.Select(d => d.Trustee).ToArray();
        var lambdas = indices.Select(i => ThresholdDecryption.Lagrange(i, indices)).ToArray();
        var opened = new Element[flat.Count];
        Parallel.For(0, flat.Count, k =>
        {
            var d = Element.Identity;
            for (var j = 0; j < chosen.Length; j++) d = d.Add(chosen[j].Partials[k].Share.Multiply(lambdas[j]));
            opened[k] = flat[k].B.Subtract(d);
        });
        var log = new DiscreteLog(Math.Max(1, largestElectorate));
        var values = new long[opened.Length];
        try
        {
            Parallel.For(0, opened.Length, k => values[k] = log.Solve(opened[k]));
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
