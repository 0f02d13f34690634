using System.Security.Cryptography;
using System.Text.Json.Serialization;
using Org.BouncyCastle.Utilities;
using BigInteger = Org.BouncyCastle.Math.BigInteger;

namespace Ballot.Core.Sealing;

/// <summary>An integer modulo the group order, always reduced, so its 32-byte big-endian encoding is canonical.</summary>
[JsonConverter(typeof(ScalarJsonConverter))]
public sealed class Scalar : IEquatable<Scalar>
{
    public const int Size = 32;
    private static readonly BigInteger Q = Group.Order;

    internal BigInteger Value { get; }

    private Scalar(BigInteger value) => Value = value;

    public static Scalar Zero { get; } = new(BigInteger.Zero);
    public static Scalar One { get; } = new(BigInteger.One);

    public bool IsZero => Value.SignValue == 0;

    public static Scalar From(long value) => new(BigInteger.ValueOf(value).Mod(Q));

    // 48 random bytes reduced modulo q: the bias is below 2^-128.
    public static Scalar Random()
    {
        var bytes = RandomNumberGenerator.GetBytes(48);
        try { return new(new BigInteger(1, bytes).Mod(Q)); }
        finally { CryptographicOperations.ZeroMemory(bytes); }
    }

    public static Scalar FromDigest(ReadOnlySpan<byte> digest) => new(new BigInteger(1, digest.ToArray()).Mod(Q));

    public static Scalar Decode(ReadOnlySpan<byte> bytes)
    {
        if (bytes.Length != Size) throw new FormatException($"A scalar is {Size} bytes.");
        var value = new BigInteger(1, bytes.ToArray());
        if (value.CompareTo(Q) >= 0) throw new FormatException("A scalar must be below the group order.");
        return new(value);
    }

    public byte[] Encode() => BigIntegers.AsUnsignedByteArray(Size, Value);

    public static Scalar operator +(Scalar a, Scalar b) => new(a.Value.Add(b.Value).Mod(Q));
    public static Scalar operator -(Scalar a, Scalar b) => new(a.Value.Subtract(b.Value).Mod(Q));
    public static Scalar operator -(Scalar a) => new(a.Value.Negate().Mod(Q));
    public static Scalar operator *(Scalar a, Scalar b) => new(a.Value.Multiply(b.Value).Mod(Q));

    public Scalar Inverse() => IsZero ? throw new DivideByZeroException("Zero has no inverse.") : new(Value.ModInverse(Q));

    public bool Equals(Scalar? other) => other is not null && Value.Equals(other.Value);
    public override bool Equals(object? obj) => Equals(obj as Scalar);
    public override int GetHashCode() => Value.GetHashCode();

    // Scalars are often secrets (shares, randomness): keep them out of logs and exception messages.
    public override string ToString() => "Scalar";
}
