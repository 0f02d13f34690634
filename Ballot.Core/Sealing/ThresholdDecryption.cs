namespace Ballot.Core.Sealing;

/// <summary>
/// The count's public side: check each trustee's decryption shares (one batched proof each, <see cref="BatchDecryption"/>),
/// then combine any t of them with Lagrange coefficients in the exponent, which gives m·G for each sum without anyone
/// holding the whole secret.
/// </summary>
public static class ThresholdDecryption
{
    /// <summary>
    /// The count: checks every given trustee's decryption (naming the first trustee whose shares fail), then opens each
    /// sum with t of them and solves its total (<see cref="Open"/>).
    /// </summary>
    public static long[] Count(
        CeremonySettings settings, byte[] context, JointKey key, IReadOnlyList<Ciphertext> sums,
        IReadOnlyList<BoardDecryption> decryptions, long maxTotal, DiscreteLog? log = null)
    {
        CheckTrustees(settings, decryptions);
        foreach (var decryption in decryptions)
        {
            if (decryption.Trustee < 1 || decryption.Trustee > key.VerificationKeys.Count) throw new SealingException($"There is no trustee {decryption.Trustee}.");
            if (!BatchDecryption.Verify(context, key, sums, decryption))
                throw new SealingException($"Trustee {decryption.Trustee}'s decryption shares do not verify.", decryption.Trustee);
        }
        return Open(settings, sums, decryptions, maxTotal, log);
    }

    /// <summary>
    /// The totals from the first t trustees' decryptions, already checked. The Lagrange weights are scaled to small
    /// integers μ_i = L·λ_i, so opening costs a few additions per sum instead of t full multiplications:
    /// L·B − Σ μ_i·D_i = (L·m)·G, and L·m is looked up in a table as large as L times the largest total.
    /// </summary>
    public static long[] Open(CeremonySettings settings, IReadOnlyList<Ciphertext> sums, IReadOnlyList<BoardDecryption> decryptions, long maxTotal, DiscreteLog? log = null)
    {
        CheckTrustees(settings, decryptions);
        var chosen = decryptions.OrderBy(d => d.Trustee).Take(settings.Threshold).ToArray();
        foreach (var d in chosen)
            if (d.Shares.Count != sums.Count) throw new SealingException($"Trustee {d.Trustee} did not decrypt every sum.", d.Trustee);
        var opened = OpenScaled(settings, sums, chosen, out var scale);
        log ??= DiscreteLog.ForCount(scale * maxTotal);
        if (log.Max < scale * maxTotal) throw new ArgumentException($"The table must reach {scale * maxTotal}.", nameof(log));
        var solved = log.SolveAll(opened);
        var totals = new long[sums.Count];
        for (var k = 0; k < totals.Length; k++)
        {
            if (solved[k] < 0 || solved[k] % scale != 0 || solved[k] / scale > maxTotal)
                throw new SealingException($"The total of sum {k} is not between 0 and {maxTotal}: a sum or a decryption share is wrong.");
            totals[k] = solved[k] / scale;
        }
        return totals;
    }

    private static void CheckTrustees(CeremonySettings settings, IReadOnlyList<BoardDecryption> decryptions)
    {
        if (decryptions.Select(d => d.Trustee).Distinct().Count() != decryptions.Count) throw new SealingException("A trustee's decryption was given twice.");
        if (decryptions.Count < settings.Threshold)
            throw new SealingException($"Decryption needs {settings.Threshold} trustees; {decryptions.Count} answered.");
    }

    /// <summary>
    /// (L·m)·G for each sum from the first t given trustees' (already checked) decryption shares, with L the smallest
    /// integer that makes every L·λ_i whole (1 for trustees {1, 2} or {2, 3}, 2 for {1, 3}).
    /// </summary>
    public static Element[] OpenScaled(CeremonySettings settings, IReadOnlyList<Ciphertext> sums,
        IReadOnlyList<BoardDecryption> decryptions, out long scale)
    {
        var chosen = decryptions.Take(settings.Threshold).ToArray();
        var indices = chosen.Select(d => d.Trustee).ToArray();
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
                var d = chosen[j].Shares[k].Point;
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
}

/// <summary>
/// A trustee's decryption of every sum with ONE Chaum–Pedersen proof (ADR 0908): the proof shows log_G(Y_i) =
/// log_Â(D̂) for the random linear combinations Â = Σ z_k·A_k and D̂ = Σ z_k·D_k, whose 128-bit weights z_k are hashed
/// from every A_k and D_k (so they are fixed only once the shares are). If any D_k ≠ x_i·A_k, D̂ ≠ x_i·Â except with
/// probability about 2^-128, and the proof fails. Checking costs two multi-scalar multiplications with short weights
/// (Pippenger's bucket method, about 10 point additions per share) instead of one proof per sum. A failure names the
/// trustee, not the sum: the proof covers them all. A sum with A = O (a constituency where no one voted) has the share O.
/// </summary>
public static class BatchDecryption
{
    public const string Label = "partial-decryption-batch";

    private const int MaxWindow = 11;

    private const string Domain = "ballot.sealing.v1/" + Label;

    public static BoardDecryption Create(byte[] context, Trustee trustee, Scalar share, IReadOnlyList<Ciphertext> sums)
    {
        var shares = new Element[sums.Count];
        Parallel.For(0, sums.Count, k => shares[k] = sums[k].A.Multiply(share));
        return Prove(context, trustee.Index, trustee.Key.VerificationKey(trustee.Index), share, sums, shares);
    }

    // Apart from Create so that a test can play a trustee who alters its shares and then proves over them itself.
    internal static BoardDecryption Prove(byte[] context, int trustee, Element verificationKey, Scalar share, IReadOnlyList<Ciphertext> sums, IReadOnlyList<Element> shares)
    {
        var (a, d, seed) = Combine(trustee, sums, shares, null);
        var proof = EqualityProof.Create(Transcript(context, trustee, seed), Group.Generator, a, verificationKey, d, share);
        return new BoardDecryption(trustee, shares, proof);
    }

    /// <param name="window">bits per bucket window; by default the cheapest by <see cref="WindowFor"/>.</param>
    public static bool Verify(byte[] context, JointKey key, IReadOnlyList<Ciphertext> sums, BoardDecryption decryption, int? window = null)
    {
        var trustee = decryption.Trustee;
        if (trustee < 1 || trustee > key.VerificationKeys.Count || decryption.Shares is null || decryption.Proof?.Challenge is null
            || decryption.Proof.Response is null || decryption.Shares.Count != sums.Count) return false;
        var (a, d, seed) = Combine(trustee, sums, decryption.Shares, window);
        return decryption.Proof.Verify(Transcript(context, trustee, seed), Group.Generator.Value, a, key.VerificationKey(trustee), d);
    }

    private static Transcript Transcript(byte[] context, int trustee, byte[] seed) => new Transcript(Label, context).Append(trustee).Append(seed);

    private static (Element A, Element D, byte[] Seed) Combine(int trustee, IReadOnlyList<Ciphertext> sums, IReadOnlyList<Element> shares, int? window)
    {
        using var hash = System.Security.Cryptography.IncrementalHash.CreateHash(System.Security.Cryptography.HashAlgorithmName.SHA256);
        hash.AppendData(System.Text.Encoding.UTF8.GetBytes($"{Domain}/{trustee}/{sums.Count}"));
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
        var c = window ?? WindowFor(weights.Length);
        return (MultiplyAll(a, weights, c), MultiplyAll(d, weights, c), seed);
    }

    /// <summary>
    /// The window c that minimises the bucket method's additions for n 128-bit weights: ⌈128/c⌉ windows, each adding
    /// every point into one of 2^c buckets and then the buckets by a running total (2·2^c additions); at most 11 bits,
    /// since wider windows measured slower at 175,000 shares (more buckets of heap-allocated points to miss in the cache,
    /// fewer windows to share among the cores; docs/performance.md). 11 for 175,000 shares, 10 for 17,500.
    /// </summary>
    public static int WindowFor(int n)
    {
        var best = 4;
        for (var c = 4; c <= MaxWindow; c++)
            if (Additions(n, c) < Additions(n, best)) best = c;
        return best;

        static long Additions(int n, int c) => (128L + c - 1) / c * (n + (2L << c));
    }

    /// <summary>
    /// Σ w_k·P_k by Pippenger's bucket method over BouncyCastle's point additions: for each c-bit window of the weights,
    /// each point is added once into the bucket of its digit (a mixed addition: the points are affine), and the buckets
    /// are summed by a running total. Windows run on every core.
    /// </summary>
    internal static Element MultiplyAll(Element[] points, UInt128[] weights, int c)
    {
        var n = points.Length;
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
