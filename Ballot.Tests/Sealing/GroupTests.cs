using System.Security.Cryptography;
using Ballot.Core.Sealing;

namespace Ballot.Tests.Sealing;

using Scalar = Ballot.Core.Sealing.Scalar;

public sealed class GroupTests
{
    [Test]
    public void Elements_scalars_and_ciphertexts_round_trip_through_their_canonical_encodings()
    {
        var x = Scalar.Random();
        var p = Group.Generator.Multiply(x);
        var c = new BallotKey(SealingKit.Times(7)).Encrypt(1, Scalar.Random());

        Assert.That(Scalar.Decode(x.Encode()), Is.EqualTo(x));
        Assert.That(p.Encode(), Has.Length.EqualTo(Element.Size));
        Assert.That(Element.Decode(p.Encode()), Is.EqualTo(p));
        Assert.That(Element.Identity.Encode(), Is.EqualTo(new byte[Element.Size]));
        Assert.That(Element.Decode(new byte[Element.Size]).IsIdentity, Is.True);
        Assert.That(Ciphertext.Decode(c.Encode()), Is.EqualTo(c));
        Assert.That(SealingKit.Relay(c), Is.EqualTo(c));
        Assert.That(x.ToString(), Is.EqualTo("Scalar"), "a secret scalar never reaches a log through ToString");
    }

    [Test]
    public void Scalar_arithmetic_agrees_with_plain_integers_modulo_the_order()
    {
        var q = System.Numerics.BigInteger.Parse("0FFFFFFFF00000000FFFFFFFFFFFFFFFFBCE6FAADA7179E84F3B9CAC2FC632551", System.Globalization.NumberStyles.HexNumber);
        static System.Numerics.BigInteger Of(Scalar s) => new(s.Encode(), isUnsigned: true, isBigEndian: true);
        Scalar FromInteger(System.Numerics.BigInteger n)
        {
            var bytes = new byte[Scalar.Size];
            n.TryWriteBytes(bytes.AsSpan(Scalar.Size - n.GetByteCount(isUnsigned: true)), out _, isUnsigned: true, isBigEndian: true);
            return Scalar.Decode(bytes);
        }
        var edges = new[] { System.Numerics.BigInteger.Zero, System.Numerics.BigInteger.One, q - 1, q - 2, q / 2, (q + 1) / 2, System.Numerics.BigInteger.Pow(2, 255) };
        var values = edges.Select(FromInteger).Concat(Enumerable.Range(0, 200).Select(_ => Scalar.Random())).ToArray();
        for (var i = 0; i < values.Length; i++)
        {
            var (a, b) = (values[i], values[(i * 7 + 3) % values.Length]);
            Assert.That(Of(a * b), Is.EqualTo(Of(a) * Of(b) % q), "a·b");
            Assert.That(Of(a + b), Is.EqualTo((Of(a) + Of(b)) % q), "a + b");
            Assert.That(Of(a - b), Is.EqualTo(((Of(a) - Of(b)) % q + q) % q), "a − b");
            Assert.That(Of(-a), Is.EqualTo((q - Of(a)) % q), "−a");
        }
        foreach (var e in edges)
            foreach (var f in edges) Assert.That(Of(FromInteger(e) * FromInteger(f)), Is.EqualTo(e * f % q), "edges");
        var digest = Enumerable.Repeat((byte)0xFF, 32).ToArray();
        Assert.That(Of(Scalar.FromDigest(digest)), Is.EqualTo((System.Numerics.BigInteger.Pow(2, 256) - 1) % q), "a digest above q is reduced");
    }

    [Test]
    public void Non_canonical_or_invalid_encodings_are_refused()
    {
        var order = Convert.FromHexString("FFFFFFFF00000000FFFFFFFFFFFFFFFFBCE6FAADA7179E84F3B9CAC2FC632551");
        Assert.Throws<FormatException>(() => Scalar.Decode(order), "q itself is not a reduced scalar");
        Assert.Throws<FormatException>(() => Scalar.Decode(new byte[31]));

        var p = Group.Generator.Multiply(Scalar.Random()).Encode();
        var uncompressed = (byte[])p.Clone();
        uncompressed[0] = 4;
        Assert.Throws<FormatException>(() => Element.Decode(uncompressed));
        Assert.Throws<FormatException>(() => Element.Decode(p.AsSpan(0, 32)));

        // Most x have no point: find one that is off the curve.
        var offCurve = 0;
        for (var i = 0; i < 20; i++)
        {
            var candidate = new byte[Element.Size];
            candidate[0] = 2;
            RandomNumberGenerator.Fill(candidate.AsSpan(1));
            try { Element.Decode(candidate); }
            catch (FormatException) { offCurve++; }
        }
        Assert.That(offCurve, Is.GreaterThan(0));
    }

    [Test]
    public void Adding_ciphertexts_adds_their_plaintexts()
    {
        var secret = Scalar.Random();
        var key = new BallotKey(Group.Generator.Multiply(secret));
        var sum = Ciphertext.Sum([key.Encrypt(3, Scalar.Random()), key.Encrypt(4, Scalar.Random()), key.Encrypt(0, Scalar.Random())]);

        Assert.That(BallotKey.DecryptWithWholeSecret(sum, secret), Is.EqualTo(SealingKit.Times(7)));
        Assert.That(BallotKey.DecryptWithWholeSecret(key.Encrypt(0, Scalar.Random()), secret).IsIdentity, Is.True);
        Assert.That(key.Encrypt(1, Scalar.Random()), Is.Not.EqualTo(key.Encrypt(1, Scalar.Random())), "fresh randomness hides equal votes");
        Assert.That(key.Fingerprint, Is.EqualTo(Convert.ToHexStringLower(SHA256.HashData(key.Value.Encode()))));
    }

    [Test]
    public void Discrete_logs_up_to_the_electorate_are_quick_and_out_of_range_totals_are_refused()
    {
        var clock = System.Diagnostics.Stopwatch.StartNew();
        var log = new DiscreteLog(450_000);
        foreach (var m in new long[] { 0, 1, 2, 671, 299_999, 449_999, 450_000 })
            Assert.That(log.Solve(SealingKit.Times(m)), Is.EqualTo(m));
        Assert.That(clock.Elapsed, Is.LessThan(TimeSpan.FromSeconds(5)));

        Assert.Throws<SealingException>(() => log.Solve(SealingKit.Times(450_001)));
        Assert.Throws<SealingException>(() => log.Solve(SealingKit.Times(-1)));
        Assert.That(new DiscreteLog(1_000_000, step: 1 << 16).Solve(SealingKit.Times(987_654)), Is.EqualTo(987_654));
    }
}
