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

    /// <summary>The first position whose partial decryption fails its check (wrong trustee, wrong proof), or -1; checked on every core.</summary>
    public static int FirstInvalid(byte[] context, JointKey key, IReadOnlyList<Ciphertext> sums, int trustee, IReadOnlyList<PartialDecryption> partials)
    {
        if (partials.Count != sums.Count) return Math.Min(partials.Count, sums.Count);
        var first = int.MaxValue;
        Parallel.For(0, sums.Count, (k, state) =>
        {
            if (k > Volatile.Read(ref first)) { state.Break(); return; }
            if (partials[k].Trustee != trustee || !Verify(context, key, sums[k], k, partials[k]))
            {
                int seen;
                while (k < (seen = Volatile.Read(ref first)) && Interlocked.CompareExchange(ref first, k, seen) != seen) { }
            }
        });
        return first == int.MaxValue ? -1 : first;
    }

    /// <summary>
    /// The count: checks every given trustee's partial decryptions (naming the first trustee and sum that fail), then
    /// opens each sum with t of them and solves its total. The Lagrange weights are scaled to small integers μ_i = L·λ_i,
    /// so opening costs a few additions per sum instead of t full multiplications: L·B − Σ μ_i·D_i = (L·m)·G, and L·m
    /// is looked up in a table as large as L times the largest total.
    /// </summary>
    public static long[] Count(
        CeremonySettings settings, byte[] context, JointKey key, IReadOnlyList<Ciphertext> sums,
        IReadOnlyList<IReadOnlyList<PartialDecryption>> byTrustee, long maxTotal, DiscreteLog? log = null)
    {
        var trustees = byTrustee.Select(p => p.Count > 0 ? p[0].Trustee : 0).ToArray();
        if (trustees.Distinct().Count() != trustees.Length) throw new SealingException("A trustee's partial decryptions were given twice.");
        if (trustees.Length < settings.Threshold)
            throw new SealingException($"Decryption needs {settings.Threshold} trustees; {trustees.Length} answered.");
        for (var j = 0; j < byTrustee.Count; j++)
        {
            if (trustees[j] < 1 || trustees[j] > key.VerificationKeys.Count) throw new SealingException($"There is no trustee {trustees[j]}.");
            var bad = FirstInvalid(context, key, sums, trustees[j], byTrustee[j]);
            if (bad >= 0) throw new SealingException($"Trustee {trustees[j]}'s partial decryption of sum {bad} does not verify.", trustees[j]);
        }
        var opened = OpenScaled(settings, sums, byTrustee, out var scale);
        log ??= DiscreteLog.ForCount(scale * maxTotal);
        if (log.Max < scale * maxTotal) throw new ArgumentException($"The table must reach {scale * maxTotal}.", nameof(log));
        var solved = log.SolveAll(opened);
        var totals = new long[sums.Count];
        for (var k = 0; k < totals.Length; k++)
        {
            if (solved[k] < 0 || solved[k] % scale != 0 || solved[k] / scale > maxTotal)
                throw new SealingException($"The total of sum {k} is not between 0 and {maxTotal}: a sum or a partial decryption is wrong.");
            totals[k] = solved[k] / scale;
        }
        return totals;
    }

    /// <summary>
    /// (L·m)·G for each sum from the first t trustees' (already checked) partial decryptions, with L the smallest integer
    /// that makes every L·λ_i whole (1 for trustees {1, 2} or {2, 3}, 2 for {1, 3}).
    /// </summary>
    public static Element[] OpenScaled(CeremonySettings settings, IReadOnlyList<Ciphertext> sums,
        IReadOnlyList<IReadOnlyList<PartialDecryption>> byTrustee, out long scale)
    {
        var chosen = byTrustee.Take(settings.Threshold).ToArray();
        var indices = chosen.Select(p => p[0].Trustee).ToArray();
        var (weights, l) = IntegerLagrange(indices);
        scale = l;
        var bigScale = Org.BouncyCastle.Math.BigInteger.ValueOf(l);
        var bigWeights = weights.Select(w => Org.BouncyCastle.Math.BigInteger.ValueOf(w)).ToArray();
        var opened = new Element[sums.Count];
        Parallel.For(0, sums.Count, k =>
        {
            var point = l == 1 ? sums[k].B.Point : sums[k].B.Point.Multiply(bigScale);
            for (var j = 0; j < chosen.Length; j++)
            {
                var d = chosen[j][k].Share.Point;
                point = weights[j] switch
                {
                    1 => point.Subtract(d),
                    -1 => point.Add(d),
                    2 => point.Subtract(d.Twice()),
                    -2 => point.Add(d.Twice()),
                    _ => point.Subtract(d.Multiply(bigWeights[j])),
                };
            }
            opened[k] = new Element(point);
        });
        return opened;
    }

    /// <summary>μ_i = L·λ_i as integers, with L the least common denominator of the λ_i.</summary>
    public static (long[] Weights, long Scale) IntegerLagrange(IReadOnlyList<int> indices)
    {
        var numerators = new System.Numerics.BigInteger[indices.Count];
        var denominators = new System.Numerics.BigInteger[indices.Count];
        System.Numerics.BigInteger scale = 1;
        for (var a = 0; a < indices.Count; a++)
        {
            System.Numerics.BigInteger num = 1, den = 1;
            foreach (var j in indices.Where(j => j != indices[a]))
            {
                num *= j;
                den *= j - indices[a];
            }
            var gcd = System.Numerics.BigInteger.GreatestCommonDivisor(num, den);
            (numerators[a], denominators[a]) = (num / gcd * den.Sign, System.Numerics.BigInteger.Abs(den / gcd));
            scale = scale / System.Numerics.BigInteger.GreatestCommonDivisor(scale, denominators[a]) * denominators[a];
        }
        var weights = new long[indices.Count];
        for (var a = 0; a < weights.Length; a++) weights[a] = (long)(numerators[a] * (scale / denominators[a]));
        return (weights, (long)scale);
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

/// <summary>
/// A proposal for the count's speed (ADR 0906), not used by the board yet: a trustee's decryption shares of every sum
/// with ONE Chaum–Pedersen proof, over random linear combinations Â = Σ z_k·A_k and D̂ = Σ z_k·D_k whose 128-bit weights
/// z_k are hashed from every A_k and D_k. If any D_k ≠ x·A_k, D̂ ≠ x·Â except with probability about 2^-128, and the
/// proof fails. Checking costs two multi-scalar multiplications with short weights instead of one proof per sum.
/// </summary>
public sealed record BatchDecryption(int Trustee, IReadOnlyList<Element> Shares, EqualityProof Proof)
{
    public const string Label = "partial-decryption-batch";

    public static BatchDecryption Create(byte[] context, Trustee trustee, Scalar share, IReadOnlyList<Ciphertext> sums)
    {
        var shares = new Element[sums.Count];
        Parallel.For(0, sums.Count, k => shares[k] = sums[k].A.Multiply(share));
        var (a, d, seed) = Combine(trustee.Index, sums, shares);
        var proof = EqualityProof.Create(Transcript(context, trustee.Index, seed), Group.Generator, a, trustee.Key.VerificationKey(trustee.Index), d, share);
        return new BatchDecryption(trustee.Index, shares, proof);
    }

    public bool Verify(byte[] context, JointKey key, IReadOnlyList<Ciphertext> sums)
    {
        if (Trustee < 1 || Trustee > key.VerificationKeys.Count || Shares.Count != sums.Count) return false;
        var (a, d, seed) = Combine(Trustee, sums, Shares);
        return Proof.Verify(Transcript(context, Trustee, seed), Group.Generator.Value, a, key.VerificationKey(Trustee), d);
    }

    private static Transcript Transcript(byte[] context, int trustee, byte[] seed) => new Transcript(Label, context).Append(trustee).Append(seed);

    private static (Element A, Element D, byte[] Seed) Combine(int trustee, IReadOnlyList<Ciphertext> sums, IReadOnlyList<Element> shares)
    {
        using var hash = System.Security.Cryptography.IncrementalHash.CreateHash(System.Security.Cryptography.HashAlgorithmName.SHA256);
        hash.AppendData(System.Text.Encoding.UTF8.GetBytes($"{Transcript_Domain}/{trustee}/{sums.Count}"));
        var a = Element.Normalized([.. sums.Select(s => s.A)]);
        var d = Element.Normalized([.. shares]);
        foreach (var e in a) hash.AppendData(e.Encoded);
        foreach (var e in d) hash.AppendData(e.Encoded);
        var seed = hash.GetHashAndReset();
        var weights = new UInt128[sums.Count];
        Parallel.For(0, weights.Length, k =>
        {
            Span<byte> input = stackalloc byte[36];
            seed.CopyTo(input);
            System.Buffers.Binary.BinaryPrimitives.WriteInt32BigEndian(input[32..], k);
            weights[k] = System.Buffers.Binary.BinaryPrimitives.ReadUInt128BigEndian(System.Security.Cryptography.SHA256.HashData(input));
        });
        return (MultiplyAll(a, weights), MultiplyAll(d, weights), seed);
    }

    private const string Transcript_Domain = "ballot.sealing.v1/" + Label;

    /// <summary>
    /// Σ w_k·P_k by Pippenger's bucket method over BouncyCastle's point additions: for each c-bit window of the weights,
    /// each point is added once into the bucket of its digit, and the buckets are summed by a running total; about
    /// 128/c + 2^(c+1)/n additions per point instead of a multiplication each. Windows run on every core.
    /// </summary>
    internal static Element MultiplyAll(Element[] points, UInt128[] weights)
    {
        var n = points.Length;
        var c = Math.Clamp((int)Math.Log2(Math.Max(n, 1)) - 2, 4, 16);
        var windows = (128 + c - 1) / c;
        var mask = (UInt128)((1 << c) - 1);
        var results = new Org.BouncyCastle.Math.EC.ECPoint[windows];
        Parallel.For(0, windows, w =>
        {
            var buckets = new Org.BouncyCastle.Math.EC.ECPoint?[1 << c];
            for (var k = 0; k < n; k++)
            {
                if (points[k].IsIdentity) continue;
                var digit = (int)((weights[k] >> (w * c)) & mask);
                if (digit == 0) continue;
                buckets[digit] = buckets[digit] is { } b ? b.Add(points[k].Point) : points[k].Point;
            }
            var running = Group.Curve.Infinity;
            var total = Group.Curve.Infinity;
            for (var j = buckets.Length - 1; j > 0; j--)
            {
                if (buckets[j] is { } b) running = running.Add(b);
                total = total.Add(running);
            }
            results[w] = total;
        });
        var sum = results[windows - 1];
        for (var w = windows - 2; w >= 0; w--) sum = sum.TimesPow2(c).Add(results[w]);
        return new Element(sum);
    }
}
