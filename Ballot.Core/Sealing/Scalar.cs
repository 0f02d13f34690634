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
    // Barrett's constant for q (256 bits): ⌊2^512 / q⌋.
    private static readonly BigInteger Mu = BigInteger.One.ShiftLeft(512).Divide(Q);

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
        try { return new(Reduce(new BigInteger(1, bytes))); }
        finally { CryptographicOperations.ZeroMemory(bytes); }
    }

    public static Scalar FromDigest(ReadOnlySpan<byte> digest) => new(Reduce(new BigInteger(1, digest)));

    public static Scalar Decode(ReadOnlySpan<byte> bytes)
    {
        if (bytes.Length != Size) throw new FormatException($"A scalar is {Size} bytes.");
        var value = new BigInteger(1, bytes);
        if (value.CompareTo(Q) >= 0) throw new FormatException("A scalar must be below the group order.");
        return new(value);
    }

    public byte[] Encode() => BigIntegers.AsUnsignedByteArray(Size, Value);

    public static Scalar operator +(Scalar a, Scalar b)
    {
        var sum = a.Value.Add(b.Value);
        return new(sum.CompareTo(Q) >= 0 ? sum.Subtract(Q) : sum);
    }

    public static Scalar operator -(Scalar a, Scalar b) => new(a.Value.CompareTo(b.Value) >= 0 ? a.Value.Subtract(b.Value) : a.Value.Add(Q).Subtract(b.Value));
    public static Scalar operator -(Scalar a) => a.IsZero ? a : new(Q.Subtract(a.Value));
    public static Scalar operator *(Scalar a, Scalar b) => new(Reduce(a.Value.Multiply(b.Value)));

    public Scalar Inverse() => IsZero ? throw new DivideByZeroException("Zero has no inverse.") : new(Value.ModInverse(Q));

    // x mod q for 0 ≤ x < 2^512 (Barrett, HAC 14.42): two multiplications and at most two subtractions. BouncyCastle's
    // Mod divides bit by bit, and was a fifth of the API's CPU per sealed vote (docs/performance.md, "Where a sealed vote's CPU goes").
    private static BigInteger Reduce(BigInteger x)
    {
        var r = x.Subtract(x.ShiftRight(255).Multiply(Mu).ShiftRight(257).Multiply(Q));
        while (r.CompareTo(Q) >= 0) r = r.Subtract(Q);
        return r;
    }

    public bool Equals(Scalar? other) => other is not null && Value.Equals(other.Value);
    public override bool Equals(object? obj) => Equals(obj as Scalar);
    public override int GetHashCode() => Value.GetHashCode();

    // Scalars are often secrets (shares, randomness): keep them out of logs and exception messages.
    public override string ToString() => "Scalar";
}
