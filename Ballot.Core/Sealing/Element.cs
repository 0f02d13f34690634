using System.Text.Json.Serialization;
using Org.BouncyCastle.Math.EC;
using Org.BouncyCastle.Math.EC.Multiplier;
using BigInteger = Org.BouncyCastle.Math.BigInteger;

namespace Ballot.Core.Sealing;

/// <summary>Something a scalar can multiply: a plain element, or a base with a precomputed table.</summary>
public interface IBase
{
    Element Value { get; }
    Element Multiply(Scalar k);
}

/// <summary>A group element. Canonical encoding: SEC1 compressed (33 bytes); the identity is 33 zero bytes.</summary>
[JsonConverter(typeof(ElementJsonConverter))]
public sealed class Element : IEquatable<Element>, IBase
{
    public const int Size = 33;

    private byte[]? _encoded;

    internal ECPoint Point { get; }

    internal Element(ECPoint point) => Point = point;

    private Element(ECPoint point, byte[] encoded)
    {
        Point = point;
        _encoded = encoded;
    }

    // Encoding costs a field inversion; an element is immutable, so it is paid once however often a transcript hashes it.
    internal ReadOnlySpan<byte> Encoded => _encoded ??= IsIdentity ? new byte[Size] : Point.GetEncoded(true);

    public static Element Identity { get; } = new(Group.Curve.Infinity);

    public bool IsIdentity => Point.IsInfinity;

    Element IBase.Value => this;

    public Element Add(Element other) => new(Point.Add(other.Point));
    public Element Subtract(Element other) => new(Point.Subtract(other.Point));
    public Element Negate() => new(Point.Negate());

    public Element Multiply(Scalar k) => k.IsZero || IsIdentity ? Identity : new(Point.Multiply(k.Value));

    // a·P + b·Q in one interleaved pass (Shamir's trick): a verifier's cost is mostly these.
    // The identity is taken out first: BouncyCastle promotes a point used often (the identity is a single object, and
    // every empty constituency's sum has it) to a comb table, and building one for the point at infinity throws.
    public static Element Combine(Element p, Scalar a, Element q, Scalar b) =>
        p.IsIdentity ? q.Multiply(b)
        : q.IsIdentity ? p.Multiply(a)
        : new(ECAlgorithms.SumOfTwoMultiplies(p.Point, a.Value, q.Point, b.Value));

    public byte[] Encode() => Encoded.ToArray();

    // One field inversion for the lot (Montgomery's trick) instead of one per element about to be hashed.
    internal static Element[] Normalized(params Element[] elements)
    {
        var points = elements.Select(e => e.Point).ToArray();
        Group.Curve.NormalizeAll(points);
        return [.. points.Select(p => new Element(p))];
    }

    public static Element Decode(ReadOnlySpan<byte> bytes)
    {
        if (bytes.Length != Size) throw new FormatException($"A group element is {Size} bytes.");
        if (bytes.IndexOfAnyExcept((byte)0) < 0) return Identity;
        if (bytes[0] is not (2 or 3)) throw new FormatException("A group element is SEC1-compressed.");
        try
        {
            // P-256 has cofactor 1, so a point on the curve is in the group.
            return new(Group.Curve.DecodePoint(bytes.ToArray()));
        }
        catch (Exception e) when (e is ArgumentException or InvalidOperationException)
        {
            throw new FormatException("Not a point on the curve.", e);
        }
    }

    /// <summary>The affine coordinates x ‖ y (64 bytes) of a point other than the identity: rebuilt without a square root.</summary>
    internal static void WriteAffine(Element normalized, Span<byte> destination) =>
        normalized.Point.Normalize().GetEncoded(false).AsSpan(1).CopyTo(destination);

    // Only for coordinates this process wrote itself (a precomputed slot), so the curve equation is not rechecked.
    internal static Element FromAffine(ReadOnlySpan<byte> xy)
    {
        var point = Group.Curve.CreatePoint(new BigInteger(1, xy[..32]), new BigInteger(1, xy[32..64]));
        var encoded = new byte[Size];
        encoded[0] = (byte)(2 | (xy[63] & 1));
        xy[..32].CopyTo(encoded.AsSpan(1));
        return new Element(point, encoded);
    }

    /// <summary>Reads the 64-byte affine form x ‖ y (no square root, unlike <see cref="Decode"/>), checking the curve equation.</summary>
    public static Element DecodeAffine(ReadOnlySpan<byte> xy)
    {
        if (xy.Length != 2 * Scalar.Size) throw new FormatException($"An affine group element is {2 * Scalar.Size} bytes.");
        if (xy.IndexOfAnyExcept((byte)0) < 0) return Identity;
        try
        {
            return new(Group.Curve.ValidatePoint(new BigInteger(1, xy[..32]), new BigInteger(1, xy[32..])));
        }
        catch (Exception e) when (e is ArgumentException or InvalidOperationException)
        {
            throw new FormatException("Not a point on the curve.", e);
        }
    }

    /// <summary>The 64-byte affine form x ‖ y; the identity is 64 zero bytes.</summary>
    public byte[] EncodeAffine()
    {
        var bytes = new byte[2 * Scalar.Size];
        if (!IsIdentity) WriteAffine(this, bytes);
        return bytes;
    }

    /// <summary>Every element's 64-byte affine form, concatenated (all normalised together: one field inversion).</summary>
    public static byte[] EncodeAffineAll(IReadOnlyList<Element> elements)
    {
        var points = elements.Select(e => e.Point).ToArray();
        Group.Curve.NormalizeAll(points);
        var bytes = new byte[points.Length * 2 * Scalar.Size];
        Parallel.For(0, points.Length, k =>
        {
            if (!points[k].IsInfinity) points[k].GetEncoded(false).AsSpan(1).CopyTo(bytes.AsSpan(k * 2 * Scalar.Size, 2 * Scalar.Size));
        });
        return bytes;
    }

    /// <summary>Reads <see cref="EncodeAffineAll"/>'s form on every core, checking each point's curve equation.</summary>
    public static Element[] DecodeAffineAll(byte[] bytes)
    {
        const int size = 2 * Scalar.Size;
        if (bytes.Length % size != 0) throw new FormatException($"Affine group elements are {size} bytes each; {bytes.Length} bytes is not a whole number of them.");
        var elements = new Element[bytes.Length / size];
        try
        {
            Parallel.For(0, elements.Length, k => elements[k] = DecodeAffine(bytes.AsSpan(k * size, size)));
        }
        catch (AggregateException e) when (e.InnerException is FormatException f)
        {
            throw f;
        }
        return elements;
    }

    public bool Equals(Element? other) => other is not null && Point.Equals(other.Point);
    public override bool Equals(object? obj) => Equals(obj as Element);
    public override int GetHashCode() => Point.GetHashCode();
    public override string ToString() => Convert.ToHexStringLower(Encode());
}

/// <summary>A base with its comb table built once: g and each ballot's key h are multiplied on every vote.</summary>
public sealed class FixedBase : IBase
{
    private static readonly FixedPointCombMultiplier Comb = new();

    public FixedBase(Element value)
    {
        if (value.IsIdentity) throw new ArgumentException("The identity cannot be a base.", nameof(value));
        Value = new Element(value.Point.Normalize());
        FixedPointUtilities.Precompute(Value.Point);
    }

    public Element Value { get; }

    public Element Multiply(Scalar k) => k.IsZero ? Element.Identity : new(Comb.Multiply(Value.Point, k.Value));
}
