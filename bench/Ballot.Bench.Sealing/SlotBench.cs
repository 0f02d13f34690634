using BenchmarkDotNet.Attributes;
using Ballot.Core.Sealing;

/// <summary>
/// Sealing a 3-option answer from a precomputed slot (ADR 0905) against sealing it directly, and what a slot costs to
/// precompute (the background fill). Each measured invocation takes a fresh slot made in the iteration's setup.
/// </summary>
[MemoryDiagnoser, MedianColumn, MinColumn, MaxColumn]
public class SlotBench
{
    public const int Invocations = 300;
    private static readonly byte[] Context = SealingContext.ForQuestion(1, 0);
    private BallotKey _key = null!;
    private Scalar _k = null!;
    private readonly Queue<SealingSlot> _slots = new();
    private int _n;

    [GlobalSetup]
    public void Setup()
    {
        _key = new BallotKey(Group.Generator.Multiply(Scalar.Random()));
        _k = Scalar.Random();
    }

    [IterationSetup(Target = nameof(SealFromSlot))]
    public void MakeSlots()
    {
        _slots.Clear();
        var made = new SealingSlot[Invocations];
        Parallel.For(0, made.Length, i => made[i] = SealingSlot.Create(_key, 3));
        foreach (var slot in made) _slots.Enqueue(slot);
    }

    [Benchmark(Baseline = true)]
    public Element FixedBaseMultiply() => Group.Generator.Multiply(_k);

    [Benchmark]
    public SealedAnswer SealDirect() => SealedAnswer.Seal(_key, Context, 3, _n++ % 3);

    [Benchmark]
    public SealedAnswer SealFromSlot() => _slots.Dequeue().Seal(Context, _n++ % 3);

    [Benchmark]
    public SealingSlot PrecomputeSlot() => SealingSlot.Create(_key, 3);
}
