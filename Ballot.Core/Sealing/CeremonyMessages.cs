using System.Text;
using System.Text.Json.Serialization;

namespace Ballot.Core.Sealing;

/// <summary>A ballot's key ceremony: t of n trustees, numbered 1..n, are needed to decrypt.</summary>
public sealed record CeremonySettings(long BallotId, int Threshold, int Trustees)
{
    public const int MaxTrustees = 32;

    [JsonIgnore]
    public byte[] Context => Encoding.UTF8.GetBytes($"ballot/{BallotId}/ceremony/{Threshold}-of-{Trustees}");

    public void Check()
    {
        if (Trustees < 1 || Trustees > MaxTrustees) throw new SealingException($"A ceremony has 1 to {MaxTrustees} trustees, not {Trustees}.");
        if (Threshold < 1 || Threshold > Trustees) throw new SealingException($"The threshold must be 1 to {Trustees}, not {Threshold}.");
    }

    public void CheckTrustee(int trustee)
    {
        if (trustee < 1 || trustee > Trustees) throw new SealingException($"There is no trustee {trustee} in a {Threshold}-of-{Trustees} ceremony.");
    }
}

/// <summary>
/// Round 1, from each trustee: a transport key to receive shares on, a proof it holds the secret,
/// and a hash of the commitments it will deal, so no trustee can choose its polynomial after seeing the others'.
/// </summary>
public sealed record TrusteeAnnouncement(int Trustee, Element TransportKey, SchnorrProof TransportProof, byte[] CommitmentHash);

/// <summary>Round 2, from each trustee as a dealer: Feldman commitments to its polynomial and one sealed share per other trustee.</summary>
public sealed record DealerMessage(int Dealer, IReadOnlyList<Element> Commitments, SchnorrProof ConstantProof, IReadOnlyList<SealedShare> Shares);

/// <summary>A share sealed to its recipient's transport key (see <see cref="ShareBox"/>); only the recipient can open it.</summary>
public sealed record SealedShare(int Recipient, Element Ephemeral, byte[] Nonce, byte[] Ciphertext, byte[] Tag);

/// <summary>Round 3, from each trustee: the key fingerprint it computed, and a proof it holds the share behind its verification key.</summary>
public sealed record TrusteeConfirmation(int Trustee, string Fingerprint, SchnorrProof ShareProof);

/// <summary>The ceremony's public outcome: the ballot key, each trustee's verification key x_i·G, and the key's fingerprint for the audit chain.</summary>
public sealed record JointKey(Element PublicKey, IReadOnlyList<Element> VerificationKeys, string Fingerprint)
{
    public Element VerificationKey(int trustee) => VerificationKeys[trustee - 1];
}
