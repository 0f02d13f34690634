using System.Security.Cryptography;

namespace Ballot.Core.Sealing;

/// <summary>
/// The public checks of the dealer-free key ceremony (joint Feldman, Pedersen 1991): what the server and any verifier
/// run on the relayed messages. Nothing here needs a secret.
/// </summary>
public static class KeyCeremony
{
    public const string TransportLabel = "trustee-transport-key";
    public const string ConstantLabel = "dealer-constant-term";
    public const string ShareLabel = "trustee-share";

    public static void CheckAnnouncement(CeremonySettings settings, TrusteeAnnouncement announcement)
    {
        settings.CheckTrustee(announcement.Trustee);
        if (announcement.CommitmentHash is not { Length: 32 })
            throw new SealingException($"Trustee {announcement.Trustee}'s commitment hash is not 32 bytes.", announcement.Trustee);
        if (!announcement.TransportProof.Verify(TransportTranscript(settings, announcement.Trustee), announcement.TransportKey))
            throw new SealingException($"Trustee {announcement.Trustee}'s transport key proof does not verify.", announcement.Trustee);
    }

    public static void CheckDealerMessage(CeremonySettings settings, TrusteeAnnouncement announcement, DealerMessage message)
    {
        var dealer = message.Dealer;
        settings.CheckTrustee(dealer);
        if (announcement.Trustee != dealer) throw new SealingException($"The message from trustee {dealer} was checked against another's announcement.", dealer);
        if (message.Commitments.Count != settings.Threshold || message.Commitments.Any(c => c.IsIdentity))
            throw new SealingException($"Trustee {dealer} committed to {message.Commitments.Count} coefficients; the threshold needs {settings.Threshold}, none the identity.", dealer);
        if (!CryptographicOperations.FixedTimeEquals(HashCommitments(message.Commitments), announcement.CommitmentHash))
            throw new SealingException($"Trustee {dealer}'s commitments differ from those it announced.", dealer);
        if (!message.ConstantProof.Verify(ConstantTranscript(settings, dealer), message.Commitments[0]))
            throw new SealingException($"Trustee {dealer}'s proof for its constant term does not verify.", dealer);
        var recipients = message.Shares.Select(s => s.Recipient).Order();
        if (!recipients.SequenceEqual(Enumerable.Range(1, settings.Trustees).Where(i => i != dealer)))
            throw new SealingException($"Trustee {dealer} must send exactly one share to each other trustee.", dealer);
    }

    /// <summary>The ballot key is the sum of the dealers' constant-term commitments; trustee i's verification key is Σ_d F_d(i)·G.</summary>
    public static JointKey Combine(CeremonySettings settings, IReadOnlyList<DealerMessage> messages)
    {
        settings.Check();
        if (!messages.Select(m => m.Dealer).Order().SequenceEqual(Enumerable.Range(1, settings.Trustees)))
            throw new SealingException($"The key needs one dealer message from each of the {settings.Trustees} trustees.");
        if (messages.FirstOrDefault(m => m.Commitments.Count != settings.Threshold) is { } uneven)
            throw new SealingException($"Trustee {uneven.Dealer} committed to {uneven.Commitments.Count} coefficients, not {settings.Threshold}.", uneven.Dealer);
        var sums = Enumerable.Range(0, settings.Threshold)
            .Select(k => messages.Aggregate(Element.Identity, (sum, m) => sum.Add(m.Commitments[k])))
            .ToArray();
        var publicKey = sums[0];
        if (publicKey.IsIdentity) throw new SealingException("The joint key is the identity.");
        var verificationKeys = Enumerable.Range(1, settings.Trustees).Select(i => EvaluateInExponent(sums, i)).ToArray();
        return new JointKey(publicKey, verificationKeys, BallotKey.FingerprintOf(publicKey));
    }

    public static void CheckConfirmation(CeremonySettings settings, JointKey key, TrusteeConfirmation confirmation)
    {
        var trustee = confirmation.Trustee;
        settings.CheckTrustee(trustee);
        if (confirmation.Fingerprint != key.Fingerprint)
            throw new SealingException($"Trustee {trustee} computed a different key ({confirmation.Fingerprint}).", trustee);
        if (!confirmation.ShareProof.Verify(ShareTranscript(settings, trustee), key.VerificationKey(trustee)))
            throw new SealingException($"Trustee {trustee} did not prove it holds its share.", trustee);
    }

    /// <summary>Σ_k i^k·C_k by Horner's rule: what a share F(i) must multiply G to.</summary>
    public static Element EvaluateInExponent(IReadOnlyList<Element> commitments, int i)
    {
        var x = Scalar.From(i);
        var result = Element.Identity;
        for (var k = commitments.Count - 1; k >= 0; k--) result = result.Multiply(x).Add(commitments[k]);
        return result;
    }

    public static byte[] HashCommitments(IReadOnlyList<Element> commitments) =>
        SHA256.HashData(commitments.SelectMany(c => c.Encode()).ToArray());

    internal static Transcript TransportTranscript(CeremonySettings s, int trustee) => new Transcript(TransportLabel, s.Context).Append(trustee);
    internal static Transcript ConstantTranscript(CeremonySettings s, int dealer) => new Transcript(ConstantLabel, s.Context).Append(dealer);
    internal static Transcript ShareTranscript(CeremonySettings s, int trustee) => new Transcript(ShareLabel, s.Context).Append(trustee);
}
