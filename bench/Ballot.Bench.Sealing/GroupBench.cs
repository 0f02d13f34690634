using System.Runtime.InteropServices;
using System.Security.Cryptography;
using BenchmarkDotNet.Attributes;
using Ballot.Core.Sealing;

/// <summary>
/// The group operations a sealed answer is made of, and the same on ristretto255 through libsodium (the native library
/// Geralt ships), which Geralt and NSec do not expose; a direct call shows what choosing it would have cost.
/// </summary>
[MemoryDiagnoser, MedianColumn]
public class GroupBench
{
    private Scalar _k = null!;
    private Element _p = null!;
    private FixedBase _h = null!;
    private readonly byte[] _rk = new byte[32];
    private readonly byte[] _rp = new byte[32];
    private readonly byte[] _out = new byte[32];

    [GlobalSetup]
    public void Setup()
    {
        _k = Scalar.Random();
        _p = Group.Generator.Multiply(Scalar.Random());
        _h = new FixedBase(Group.Generator.Multiply(Scalar.Random()));
        if (sodium_init() < 0) throw new InvalidOperationException("libsodium did not load.");
        crypto_core_ristretto255_scalar_random(_rk);
        crypto_scalarmult_ristretto255_base(_rp, _rk);
    }

    [Benchmark]
    public Element P256FixedBaseG() => Group.Generator.Multiply(_k);

    [Benchmark]
    public Element P256FixedBaseH() => _h.Multiply(_k);

    [Benchmark]
    public Element P256VariableBase() => _p.Multiply(_k);

    [Benchmark]
    public Element P256TwoMultiplies() => Element.Combine(Group.Generator.Value, _k, _p, _k);

    [Benchmark]
    public byte[] P256Encode() => _p.Add(_p).Encode();

    [Benchmark]
    public Element P256Decode() => Element.Decode(_p.Encode());

    [Benchmark]
    public int Ristretto255Base() => crypto_scalarmult_ristretto255_base(_out, _rk);

    [Benchmark]
    public int Ristretto255VariableBase() => crypto_scalarmult_ristretto255(_out, _rk, _rp);

    [Benchmark]
    public int Ristretto255Add() => crypto_core_ristretto255_add(_out, _rp, _rp);

    [Benchmark]
    public byte[] Sha256Transcript() => SHA256.HashData(_rp);

    [DllImport("libsodium")] private static extern int sodium_init();
    [DllImport("libsodium")] private static extern void crypto_core_ristretto255_scalar_random(byte[] r);
    [DllImport("libsodium")] private static extern int crypto_scalarmult_ristretto255_base(byte[] q, byte[] n);
    [DllImport("libsodium")] private static extern int crypto_scalarmult_ristretto255(byte[] q, byte[] n, byte[] p);
    [DllImport("libsodium")] private static extern int crypto_core_ristretto255_add(byte[] r, byte[] p, byte[] q);
}
