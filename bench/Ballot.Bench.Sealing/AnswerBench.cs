using BenchmarkDotNet.Attributes;
using Ballot.Core.Sealing;

[MemoryDiagnoser, MedianColumn, MinColumn, MaxColumn]
public class AnswerBench
{
    private static readonly byte[] Context = SealingContext.ForQuestion(1, 0);
    private BallotKey _key = null!;
    private Trustee _trustee = null!;
    private JointKey _joint = null!;
    private SealedAnswer _answer = null!;
    private Ciphertext _sum = null!;
    private BoardDecryption _partial = null!;
    private int _n;

    [GlobalSetup]
    public void Setup()
    {
        var settings = new CeremonySettings(1, 2, 3);
        var trustees = Enumerable.Range(1, 3).Select(i => Trustee.Create(settings, i)).ToArray();
        var announcements = trustees.Select(t => t.Announce()).ToArray();
        var messages = trustees.Select(t => t.Deal(announcements)).ToArray();
        foreach (var t in trustees) t.Finish(announcements, messages);
        _trustee = trustees[0];
        _joint = _trustee.Key;
        _key = new BallotKey(_joint.PublicKey);
        _answer = SealedAnswer.Seal(_key, Context, 3, 1);
        _sum = Ciphertext.Sum(Enumerable.Range(0, 100).Select(i => SealedAnswer.Seal(_key, Context, 3, i % 3).Options[0]));
        _partial = _trustee.Decrypt(Context, [_sum]);
        if (!_answer.Verify(_key, Context) || !BatchDecryption.Verify(Context, _joint, [_sum], _partial))
            throw new InvalidOperationException("The setup's proofs do not verify.");
    }

    /// <summary>The unit the others are measured in (the Ratio column), steady whatever else loads the machine.</summary>
    [Benchmark(Baseline = true)]
    public Element FixedBaseMultiply() => Group.Generator.Multiply(_answer.SumProof.Response);

    /// <summary>What the server does per answer on arrival: three ciphertexts, three 0-or-1 proofs, one sum proof.</summary>
    [Benchmark]
    public SealedAnswer Seal() => SealedAnswer.Seal(_key, Context, 3, _n++ % 3);

    /// <summary>What the verifier does per answer on the board.</summary>
    [Benchmark]
    public bool Verify() => _answer.Verify(_key, Context);

    /// <summary>Adding one answer's option ciphertexts into the running sums of its constituency.</summary>
    [Benchmark]
    public Ciphertext Add() => _sum.Add(_answer.Options[0]).Add(_answer.Options[1]).Add(_answer.Options[2]);

    /// <summary>A trustee's share of one sum's decryption, with its (batched, here of one) Chaum–Pedersen proof.</summary>
    [Benchmark]
    public BoardDecryption PartialDecrypt() => _trustee.Decrypt(Context, [_sum]);

    [Benchmark]
    public bool VerifyPartial() => BatchDecryption.Verify(Context, _joint, [_sum], _partial);
}
