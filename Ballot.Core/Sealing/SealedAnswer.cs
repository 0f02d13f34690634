using System.Security.Cryptography;

namespace Ballot.Core.Sealing;

/// <summary>
/// One answer to one question, sealed: a ciphertext per option ("spoiled" is an option), each proved to hold 0 or 1,
/// and a proof that together they hold exactly 1. Anyone with the ballot key can check it without learning the choice.
/// </summary>
public sealed record SealedAnswer(IReadOnlyList<Ciphertext> Options, IReadOnlyList<ZeroOrOneProof> OptionProofs, EqualityProof SumProof)
{
    public const string OptionLabel = "option-is-zero-or-one";
    public const string SumLabel = "answer-sums-to-one";

    public static SealedAnswer Seal(BallotKey key, byte[] context, int optionCount, int chosen)
    {
        if (optionCount < 2) throw new ArgumentOutOfRangeException(nameof(optionCount), "An answer has at least two options.");
        if (chosen < 0 || chosen >= optionCount) throw new ArgumentOutOfRangeException(nameof(chosen), "The chosen option is not on the paper.");
        var options = new Ciphertext[optionCount];
        var proofs = new ZeroOrOneProof[optionCount];
        var randomness = new Scalar[optionCount];
        var total = Scalar.Zero;
        for (var i = 0; i < optionCount; i++)
        {
            randomness[i] = Scalar.Random();
            options[i] = key.Encrypt(i == chosen ? 1 : 0, randomness[i]);
            total += randomness[i];
        }
        var encoded = Element.Normalized([.. options.SelectMany(o => new[] { o.A, o.B })]);
        for (var i = 0; i < optionCount; i++)
        {
            options[i] = new Ciphertext(encoded[2 * i], encoded[2 * i + 1]);
            proofs[i] = ZeroOrOneProof.Create(OptionTranscript(context, i), key, options[i], i == chosen ? 1 : 0, randomness[i]);
        }
        var sum = Ciphertext.Sum(options);
        var sumProof = EqualityProof.Create(SumTranscript(context, options), Group.Generator, key.Base, sum.A, OneTakenOut(sum), total);
        return new(options, proofs, sumProof);
    }

    public bool Verify(BallotKey key, byte[] context)
    {
        if (Options.Count < 2 || OptionProofs.Count != Options.Count) return false;
        for (var i = 0; i < Options.Count; i++)
            if (!OptionProofs[i].Verify(OptionTranscript(context, i), key, Options[i])) return false;
        var sum = Ciphertext.Sum(Options);
        return SumProof.Verify(SumTranscript(context, Options), Group.Generator.Value, key.Value, sum.A, OneTakenOut(sum));
    }

    /// <summary>The member's ballot tracker: SHA-256 of the stored ciphertexts, in option order.</summary>
    public string Tracker()
    {
        using var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        foreach (var option in Options) hash.AppendData(option.Encode());
        return Convert.ToHexStringLower(hash.GetHashAndReset());
    }

    internal static Transcript OptionTranscript(byte[] context, int option) => new Transcript(OptionLabel, context).Append(option);

    internal static Transcript SumTranscript(byte[] context, IReadOnlyList<Ciphertext> options)
    {
        var t = new Transcript(SumLabel, context);
        foreach (var option in options) t.Append(option);
        return t;
    }

    private static Element OneTakenOut(Ciphertext sum) => sum.B.Subtract(Group.Generator.Value);
}
