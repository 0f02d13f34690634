using Org.BouncyCastle.Asn1.X9;
using Org.BouncyCastle.Crypto.EC;
using Org.BouncyCastle.Math.EC;
using BigInteger = Org.BouncyCastle.Math.BigInteger;

namespace Ballot.Core.Sealing;

/// <summary>The prime-order group every sealed ballot uses: NIST P-256 through BouncyCastle's custom curve (ADR 0900).</summary>
public static class Group
{
    private static readonly X9ECParameters Parameters = CustomNamedCurves.GetByName("P-256");

    internal static ECCurve Curve => Parameters.Curve;
    internal static BigInteger Order => Parameters.N;

    public static FixedBase Generator { get; } = new(new Element(Parameters.G));
}
