using System.Security.Cryptography;

namespace Ballot.Core.Sealing;

/// <summary>
/// Everything a <see cref="SealedAnswer"/> needs except its hashes, computed before the vote (ADR 0905): every group
/// operation of a sealed answer is independent of the choice. Per option: A = r·G, both B = r·H and B = r·H + G, the
/// real branch's w·G and w·H, the simulated branch's t·G and t·H ± c·G (one sign for each value of the bit), and the
/// scalars r, w, t, c; per answer: Σr·G, Σr·H and the sum proof's v·G, v·H with v and Σr. Sealing then costs the
/// transcripts' SHA-256 and a little scalar arithmetic. A slot is used once: <see cref="Seal"/> wipes it, and a second
/// call throws, because two answers from one slot would reveal r and so both votes.
/// </summary>
public sealed class SealingSlot
{
    private const int Affine = 2 * Scalar.Size;
    private const int E = Element.Size;
    private const int S = Scalar.Size;
    // Per option: A, B (bit 0), B (bit 1) as x ‖ y; w·G, w·H, t·G, t·H + c·G, t·H − c·G compressed; r, w, t + c·r
    // (the simulated branch's response, which does not depend on the challenge), c.
    private const int OptionBytes = 3 * Affine + 5 * E + 4 * S;
    // Per answer: Σr·G, Σr·H, v·G, v·H compressed; v, Σr.
    private const int AnswerBytes = 4 * E + 2 * S;

    private readonly byte[] _bytes;
    private readonly BallotKey _key;
    private int _used;

    private SealingSlot(BallotKey key, int optionCount, byte[] bytes)
    {
        _key = key;
        OptionCount = optionCount;
        _bytes = bytes;
    }

    public int OptionCount { get; }

    /// <summary>About what one slot holds in memory (its buffer plus the object), for sizing a pool.</summary>
    public static int BytesPerSlot(int optionCount) => optionCount * OptionBytes + AnswerBytes + 64;

    /// <summary>Draws fresh randomness and does the group operations: about 7 fixed-base multiplications per option and 2 per answer.</summary>
    public static SealingSlot Create(BallotKey key, int optionCount)
    {
        CheckCount(optionCount);
        var g = Group.Generator;
        var h = key.Base;
        var material = new Material(optionCount);
        for (var i = 0; i < optionCount; i++)
        {
            Scalar r = Random(), w = Random(), t = Random(), c = Random();
            material.Set(i, r, w, t, c, g.Multiply(r), h.Multiply(r), g.Multiply(w), h.Multiply(w), g.Multiply(t), h.Multiply(t), g.Multiply(c));
        }
        var v = Random();
        material.SetSum(v, g.Multiply(v), h.Multiply(v));
        return material.Build(key);
    }

    /// <summary>
    /// Bench data only, never for a vote: slot n's secrets are an arithmetic progression (r_n = r_0 + n·δ and so on),
    /// so its points are the previous slot's plus a constant, an addition instead of a multiplication. The answers it
    /// seals verify, but their randomness is related, so anyone who knows the progression could open them.
    /// </summary>
    public static IEnumerable<SealingSlot> InsecureProgressionForBenchmarks(BallotKey key, int optionCount)
    {
        CheckCount(optionCount);
        var g = Group.Generator;
        var h = key.Base;
        var scalars = new Scalar[optionCount * 4 + 1];
        var steps = new Scalar[scalars.Length];
        for (var j = 0; j < scalars.Length; j++) (scalars[j], steps[j]) = (Random(), Random());
        // For each scalar: its multiples of G and H, and those of its step, so slot n+1 = slot n + step.
        var pointsG = scalars.Select(g.Multiply).ToArray();
        var pointsH = scalars.Select(h.Multiply).ToArray();
        var stepsG = steps.Select(g.Multiply).ToArray();
        var stepsH = steps.Select(h.Multiply).ToArray();
        while (true)
        {
            var material = new Material(optionCount);
            for (var i = 0; i < optionCount; i++)
            {
                var o = 4 * i;
                material.Set(i, scalars[o], scalars[o + 1], scalars[o + 2], scalars[o + 3],
                    pointsG[o], pointsH[o], pointsG[o + 1], pointsH[o + 1], pointsG[o + 2], pointsH[o + 2], pointsG[o + 3]);
            }
            var last = scalars.Length - 1;
            material.SetSum(scalars[last], pointsG[last], pointsH[last]);
            yield return material.Build(key);
            for (var j = 0; j < scalars.Length; j++)
            {
                scalars[j] += steps[j];
                pointsG[j] = pointsG[j].Add(stepsG[j]);
                pointsH[j] = pointsH[j].Add(stepsH[j]);
            }
        }
    }

    /// <summary>Seals the answer <paramref name="chosen"/> under <paramref name="context"/>, then wipes the slot.</summary>
    public SealedAnswer Seal(byte[] context, int chosen)
    {
        if (chosen < 0 || chosen >= OptionCount) throw new ArgumentOutOfRangeException(nameof(chosen), "The chosen option is not on the paper.");
        if (Interlocked.Exchange(ref _used, 1) != 0) throw new InvalidOperationException("A sealing slot is used once only.");
        try
        {
            var span = _bytes.AsSpan();
            var options = new Ciphertext[OptionCount];
            for (var i = 0; i < OptionCount; i++)
            {
                var o = span.Slice(i * OptionBytes, OptionBytes);
                options[i] = new Ciphertext(Element.FromAffine(o[..Affine]), Element.FromAffine(o.Slice(i == chosen ? 2 * Affine : Affine, Affine)));
            }
            var proofs = new ZeroOrOneProof[OptionCount];
            var g = Group.Generator;
            for (var i = 0; i < OptionCount; i++)
            {
                var o = span.Slice(i * OptionBytes, OptionBytes);
                var points = o.Slice(3 * Affine, 5 * E);
                var secrets = o.Slice(3 * Affine + 5 * E);
                Scalar r = Scalar.Decode(secrets[..S]), w = Scalar.Decode(secrets.Slice(S, S)),
                    simulated = Scalar.Decode(secrets.Slice(2 * S, S)), c = Scalar.Decode(secrets.Slice(3 * S, S));
                ReadOnlySpan<byte> wG = points[..E], wH = points.Slice(E, E), tG = points.Slice(2 * E, E),
                    tPlus = points.Slice(3 * E, E), tMinus = points.Slice(4 * E, E);
                var transcript = SealedAnswer.OptionTranscript(context, i).Append(g).Append(_key.Base).Append(options[i]);
                // Bit 0: branch 0 is real (w), branch 1 simulated (t·G, t·H + c·G); bit 1 the other way round with t·H − c·G.
                var challenge = i == chosen
                    ? transcript.Append(tG).Append(tMinus).Append(wG).Append(wH).Challenge()
                    : transcript.Append(wG).Append(wH).Append(tG).Append(tPlus).Challenge();
                var real = challenge - c;
                proofs[i] = i == chosen
                    ? new ZeroOrOneProof(c, real, simulated, w + real * r)
                    : new ZeroOrOneProof(real, c, w + real * r, simulated);
            }
            var sum = span.Slice(OptionCount * OptionBytes, AnswerBytes);
            var sumChallenge = SealedAnswer.SumTranscript(context, options)
                .Append(g).Append(_key.Base).Append(sum[..E]).Append(sum.Slice(E, E)).Append(sum.Slice(2 * E, E)).Append(sum.Slice(3 * E, E))
                .Challenge();
            var v = Scalar.Decode(sum.Slice(4 * E, S));
            var total = Scalar.Decode(sum.Slice(4 * E + S, S));
            return new SealedAnswer(options, proofs, new EqualityProof(sumChallenge, v + sumChallenge * total));
        }
        finally
        {
            Wipe();
        }
    }

    internal void Wipe() => CryptographicOperations.ZeroMemory(_bytes);

    private static void CheckCount(int optionCount)
    {
        if (optionCount is < 2 or > byte.MaxValue) throw new ArgumentOutOfRangeException(nameof(optionCount), "An answer has 2 to 255 options.");
    }

    private static Scalar Random()
    {
        var s = Scalar.Random();
        return s.IsZero ? Random() : s;
    }

    private static void Put(Scalar secret, Span<byte> destination)
    {
        var bytes = secret.Encode();
        bytes.CopyTo(destination);
        CryptographicOperations.ZeroMemory(bytes);
    }

    /// <summary>A slot's points before their one shared normalisation, and its scalars.</summary>
    private sealed class Material(int optionCount)
    {
        private readonly Element[] _points = new Element[optionCount * 8 + 4];
        private readonly Scalar[] _scalars = new Scalar[optionCount * 4 + 2];
        private Element _sumA = Element.Identity, _sumH = Element.Identity;
        private Scalar _total = Scalar.Zero;

        public void Set(int i, Scalar r, Scalar w, Scalar t, Scalar c,
            Element rG, Element rH, Element wG, Element wH, Element tG, Element tH, Element cG)
        {
            var p = 8 * i;
            _points[p] = rG;
            _points[p + 1] = rH;
            _points[p + 2] = rH.Add(Group.Generator.Value);
            _points[p + 3] = wG;
            _points[p + 4] = wH;
            _points[p + 5] = tG;
            _points[p + 6] = tH.Add(cG);
            _points[p + 7] = tH.Subtract(cG);
            (_scalars[4 * i], _scalars[4 * i + 1], _scalars[4 * i + 2], _scalars[4 * i + 3]) = (r, w, t + c * r, c);
            _sumA = _sumA.Add(rG);
            _sumH = _sumH.Add(rH);
            _total += r;
        }

        public void SetSum(Scalar v, Element vG, Element vH)
        {
            var p = 8 * optionCount;
            (_points[p], _points[p + 1], _points[p + 2], _points[p + 3]) = (_sumA, _sumH, vG, vH);
            (_scalars[^2], _scalars[^1]) = (v, _total);
        }

        public SealingSlot Build(BallotKey key)
        {
            // One field inversion for the whole slot (Montgomery's trick) instead of one per point.
            var points = Element.Normalized(_points);
            if (points.Any(p => p.IsIdentity)) throw new SealingException("A sealing slot drew a degenerate point; draw again.");
            // On the pinned heap: a compacting collection never leaves a copy of the randomness behind the one Seal wipes.
            var bytes = GC.AllocateArray<byte>(optionCount * OptionBytes + AnswerBytes, pinned: true);
            var span = bytes.AsSpan();
            for (var i = 0; i < optionCount; i++)
            {
                var o = span.Slice(i * OptionBytes, OptionBytes);
                for (var j = 0; j < 3; j++) Element.WriteAffine(points[8 * i + j], o.Slice(j * Affine, Affine));
                for (var j = 0; j < 5; j++) points[8 * i + 3 + j].Encoded.CopyTo(o.Slice(3 * Affine + j * E, E));
                for (var j = 0; j < 4; j++) Put(_scalars[4 * i + j], o.Slice(3 * Affine + 5 * E + j * S, S));
            }
            var a = span.Slice(optionCount * OptionBytes, AnswerBytes);
            for (var j = 0; j < 4; j++) points[8 * optionCount + j].Encoded.CopyTo(a.Slice(j * E, E));
            Put(_scalars[^2], a.Slice(4 * E, S));
            Put(_scalars[^1], a.Slice(4 * E + S, S));
            return new SealingSlot(key, optionCount, bytes);
        }
    }
}
