using System.Security.Cryptography;

namespace Ballot.Core.Sealing;

/// <summary>Exponential ElGamal: Enc(m; r) = (r·G, m·G + r·H). Adding ciphertexts adds the plaintexts.</summary>
public sealed record Ciphertext(Element A, Element B)
{
    public const int Size = 2 * Element.Size;

    public static Ciphertext Zero { get; } = new(Element.Identity, Element.Identity);

    public Ciphertext Add(Ciphertext other) => new(A.Add(other.A), B.Add(other.B));

    public static Ciphertext Sum(IEnumerable<Ciphertext> ciphertexts) => ciphertexts.Aggregate(Zero, (sum, c) => sum.Add(c));

    public byte[] Encode() => [.. A.Encode(), .. B.Encode()];

    public static Ciphertext Decode(ReadOnlySpan<byte> bytes)
    {
        if (bytes.Length != Size) throw new FormatException($"A ciphertext is {Size} bytes.");
        return new(Element.Decode(bytes[..Element.Size]), Element.Decode(bytes[Element.Size..]));
    }
}

/// <summary>A ballot's public key H with its comb table; built once per ballot and shared by every vote sealed under it.</summary>
public sealed class BallotKey
{
    private readonly FixedBase _h;

    public BallotKey(Element h)
    {
        _h = new FixedBase(h);
        Fingerprint = FingerprintOf(h);
    }

    public Element Value => _h.Value;

    public FixedBase Base => _h;

    public string Fingerprint { get; }

    public static string FingerprintOf(Element publicKey) => Convert.ToHexStringLower(SHA256.HashData(publicKey.Encode()));

    public Ciphertext Encrypt(long message, Scalar randomness)
    {
        var g = Group.Generator;
        return new(g.Multiply(randomness), g.Multiply(Scalar.From(message)).Add(_h.Multiply(randomness)));
    }

    // Only for tests and tools: decrypting needs the whole secret, which no one holds once the ceremony is dealer-free.
    internal static Element DecryptWithWholeSecret(Ciphertext c, Scalar secret) => c.B.Subtract(c.A.Multiply(secret));
}
