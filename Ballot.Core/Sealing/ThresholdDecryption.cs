namespace Ballot.Core.Sealing;

/// <summary>
/// The count's public side: check each trustee's partial decryptions, then combine any t of them with Lagrange
/// coefficients in the exponent, which gives m·G for each sum without anyone holding the whole secret.
/// </summary>
public static class ThresholdDecryption
{
    public static bool Verify(byte[] context, JointKey key, Ciphertext sum, int position, PartialDecryption partial) =>
        partial.Trustee >= 1 && partial.Trustee <= key.VerificationKeys.Count
        && partial.Proof.Verify(Trustee.DecryptionTranscript(context, partial.Trustee, position),
            Group.Generator.Value, sum.A, key.VerificationKey(partial.Trustee), partial.Share);

    /// <summary>
    /// Opens each sum to m·G from the partial decryptions of at least t trustees (each list in the order of the sums).
    /// Refuses fewer than t, and names the first trustee whose proof fails.
    /// </summary>
    public static IReadOnlyList<Element> Combine(
        CeremonySettings settings, byte[] context, JointKey key, IReadOnlyList<Ciphertext> sums,
        IReadOnlyList<IReadOnlyList<PartialDecryption>> byTrustee)
    {
        var trustees = byTrustee.Select(p => p.Count > 0 ? p[0].Trustee : 0).ToArray();
        if (trustees.Distinct().Count() != trustees.Length) throw new SealingException("A trustee's partial decryptions were given twice.");
        if (trustees.Length < settings.Threshold)
            throw new SealingException($"Decryption needs {settings.Threshold} trustees; {trustees.Length} answered.");
        foreach (var partials in byTrustee)
        {
            var trustee = partials.Count > 0 ? partials[0].Trustee : 0;
            if (partials.Count != sums.Count || partials.Any(p => p.Trustee != trustee))
                throw new SealingException($"Trustee {trustee} did not answer every sum.", trustee);
            for (var k = 0; k < sums.Count; k++)
                if (!Verify(context, key, sums[k], k, partials[k]))
                    throw new SealingException($"Trustee {trustee}'s partial decryption of sum {k} does not verify.", trustee);
        }
        var chosen = byTrustee.Take(settings.Threshold).ToArray();
        var indices = chosen.Select(p => p[0].Trustee).ToArray();
        var lambdas = indices.Select(i => Lagrange(i, indices)).ToArray();
        var opened = new Element[sums.Count];
        for (var k = 0; k < sums.Count; k++)
        {
            var d = Element.Identity;
            for (var j = 0; j < chosen.Length; j++) d = d.Add(chosen[j][k].Share.Multiply(lambdas[j]));
            opened[k] = sums[k].B.Subtract(d);
        }
        return opened;
    }

    /// <summary>λ_i = Π_{j≠i} j / (j − i): the weight of F(i) when interpolating F(0) from the shares at <paramref name="indices"/>.</summary>
    public static Scalar Lagrange(int i, IReadOnlyList<int> indices)
    {
        var numerator = Scalar.One;
        var denominator = Scalar.One;
        foreach (var j in indices.Where(j => j != i))
        {
            numerator *= Scalar.From(j);
            denominator *= Scalar.From(j - i);
        }
        return numerator * denominator.Inverse();
    }
}
