using System.Security.Cryptography;

namespace Ballot.Core.Sealing;

/// <summary>
/// How a cast paper is stored (ballot_paper.sealed) and hashed: one <see cref="SealedAnswer"/> per question, in
/// question order. Binary, version 1: for each answer, one byte of option count k, the k ciphertexts (66 bytes each),
/// the k 0-or-1 proofs (4 scalars each), the sum proof (2 scalars). The tracker is SHA-256 over every ciphertext in
/// that order: the member's receipt, and their paper's name on the board.
/// </summary>
public static class SealedPaper
{
    public const byte Version = 1;

    public static int SizeOf(IReadOnlyList<int> optionCounts) =>
        1 + optionCounts.Sum(k => 1 + k * (Ciphertext.Size + 4 * Scalar.Size) + 2 * Scalar.Size);

    public static byte[] Encode(IReadOnlyList<SealedAnswer> answers)
    {
        var bytes = new byte[SizeOf([.. answers.Select(a => a.Options.Count)])];
        var at = 0;
        bytes[at++] = Version;
        foreach (var answer in answers)
        {
            if (answer.Options.Count > byte.MaxValue) throw new ArgumentException("An answer has at most 255 options.", nameof(answers));
            bytes[at++] = (byte)answer.Options.Count;
            foreach (var c in answer.Options)
            {
                c.A.Encoded.CopyTo(bytes.AsSpan(at));
                c.B.Encoded.CopyTo(bytes.AsSpan(at + Element.Size));
                at += Ciphertext.Size;
            }
            foreach (var p in answer.OptionProofs)
                foreach (var s in (Scalar[])[p.Challenge0, p.Challenge1, p.Response0, p.Response1]) at = Put(bytes, at, s);
            at = Put(bytes, at, answer.SumProof.Challenge);
            at = Put(bytes, at, answer.SumProof.Response);
        }
        return bytes;
    }

    public static IReadOnlyList<SealedAnswer> Decode(ReadOnlySpan<byte> bytes)
    {
        if (bytes.Length == 0 || bytes[0] != Version) throw new FormatException($"A sealed paper starts with version {Version}.");
        var answers = new List<SealedAnswer>();
        var at = 1;
        while (at < bytes.Length)
        {
            int k = bytes[at++];
            if (k < 2 || at + k * (Ciphertext.Size + 4 * Scalar.Size) + 2 * Scalar.Size > bytes.Length)
                throw new FormatException("A sealed paper is cut short.");
            var options = new Ciphertext[k];
            for (var i = 0; i < k; i++, at += Ciphertext.Size) options[i] = Ciphertext.Decode(bytes.Slice(at, Ciphertext.Size));
            var proofs = new ZeroOrOneProof[k];
            for (var i = 0; i < k; i++)
                proofs[i] = new ZeroOrOneProof(Take(bytes, ref at), Take(bytes, ref at), Take(bytes, ref at), Take(bytes, ref at));
            answers.Add(new SealedAnswer(options, proofs, new EqualityProof(Take(bytes, ref at), Take(bytes, ref at))));
        }
        return answers;
    }

    /// <summary>SHA-256 over every ciphertext of the paper, answer by answer, option by option (lower-case hex).</summary>
    public static string Tracker(IReadOnlyList<SealedAnswer> answers)
    {
        using var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        foreach (var answer in answers)
            foreach (var c in answer.Options)
            {
                hash.AppendData(c.A.Encoded);
                hash.AppendData(c.B.Encoded);
            }
        return Convert.ToHexStringLower(hash.GetHashAndReset());
    }

    /// <summary>
    /// Every ciphertext of the paper in the affine form (A then B, each x ‖ y, 128 bytes per option), for a count that
    /// must not pay a square root per point (<see cref="SumAccumulator.AddAffineCiphertexts"/>). Not part of the tracker.
    /// </summary>
    public static byte[] EncodeAffineCiphertexts(IReadOnlyList<SealedAnswer> answers)
    {
        var options = answers.SelectMany(a => a.Options).ToArray();
        var bytes = new byte[options.Length * 4 * Scalar.Size];
        var points = Element.Normalized([.. options.SelectMany(o => new[] { o.A, o.B })]);
        for (var i = 0; i < points.Length; i++)
            if (!points[i].IsIdentity) Element.WriteAffine(points[i], bytes.AsSpan(i * 2 * Scalar.Size, 2 * Scalar.Size));
        return bytes;
    }

    private static int Put(byte[] bytes, int at, Scalar s)
    {
        s.Encode().CopyTo(bytes, at);
        return at + Scalar.Size;
    }

    private static Scalar Take(ReadOnlySpan<byte> bytes, ref int at)
    {
        var s = Scalar.Decode(bytes.Slice(at, Scalar.Size));
        at += Scalar.Size;
        return s;
    }
}
