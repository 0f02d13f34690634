using System.Collections.Concurrent;
using System.Runtime.InteropServices;

namespace Ballot.Core.Sealing;

/// <summary>
/// Precomputed <see cref="SealingSlot"/>s for one ballot key and one option count (ADR 0905), kept in memory only:
/// a slot holds the randomness that opens its vote, so it must never reach a disk. A background thread keeps the pool
/// at its capacity; a vote takes one slot (each slot leaves the queue once), and when the pool is empty it seals
/// directly, which costs the group operations the slot would have saved.
/// </summary>
public sealed class SealingPool : IDisposable
{
    private readonly ConcurrentQueue<SealingSlot> _slots = new();
    private readonly SemaphoreSlim _taken = new(0);
    private readonly CancellationTokenSource _stop = new();
    private readonly Thread? _filler;
    private long _served, _direct, _lastTaken;

    // While votes are being sealed from the pool, the filler leaves the cores to them until the pool runs low: a burst
    // is served from stock made in quieter minutes, not slowed by refilling it at the same time.
    private const int BusyWindowMs = 200;

    public SealingPool(BallotKey key, int optionCount, int capacity, bool fillInBackground = true)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(capacity, 1);
        Key = key;
        OptionCount = optionCount;
        Capacity = capacity;
        if (!fillInBackground) return;
        _filler = new Thread(FillForever) { IsBackground = true, Name = $"sealing-pool-{optionCount}", Priority = ThreadPriority.BelowNormal };
        _filler.Start();
    }

    public BallotKey Key { get; }

    public int OptionCount { get; }

    public int Capacity { get; }

    public int Available => _slots.Count;

    /// <summary>At least one slot is ready (cheaper to ask than <see cref="Available"/>).</summary>
    public bool HasStock => !_slots.IsEmpty;

    /// <summary>Answers sealed from a precomputed slot.</summary>
    public long Served => Interlocked.Read(ref _served);

    /// <summary>Answers sealed directly because the pool was empty.</summary>
    public long SealedDirectly => Interlocked.Read(ref _direct);

    /// <summary>What the pool holds and has served, at this moment: nothing secret (a count of slots and of answers).</summary>
    public SealingStock Stock() => new(OptionCount, Capacity, _slots.Count, Served, SealedDirectly);

    public SealedAnswer Seal(byte[] context, int chosen)
    {
        if (chosen < 0 || chosen >= OptionCount) throw new ArgumentOutOfRangeException(nameof(chosen), "The chosen option is not on the paper.");
        if (_slots.TryDequeue(out var slot))
        {
            Volatile.Write(ref _lastTaken, Environment.TickCount64);
            _taken.Release();
            Interlocked.Increment(ref _served);
            return slot.Seal(context, chosen);
        }
        Interlocked.Increment(ref _direct);
        return SealedAnswer.Seal(Key, context, OptionCount, chosen);
    }

    /// <summary>Fills the pool to capacity on the calling thread and the thread pool (before a ballot opens, and in tests).</summary>
    public void Fill(CancellationToken cancellationToken = default)
    {
        var missing = Capacity - _slots.Count;
        if (missing <= 0) return;
        Parallel.For(0, missing, new ParallelOptions { CancellationToken = cancellationToken }, _ =>
        {
            if (_slots.Count < Capacity) _slots.Enqueue(SealingSlot.Create(Key, OptionCount));
        });
    }

    public void Dispose()
    {
        if (_stop.IsCancellationRequested) return;
        _stop.Cancel();
        _filler?.Join();
        while (_slots.TryDequeue(out var slot)) slot.Wipe();
        _stop.Dispose();
        _taken.Dispose();
    }

    private void FillForever()
    {
        BackgroundPriority.LowerCurrentThread();
        try
        {
            while (!_stop.IsCancellationRequested)
            {
                if (_slots.Count >= Capacity) _taken.Wait(_stop.Token);
                else if (_slots.Count > Capacity / 4 && Environment.TickCount64 - Volatile.Read(ref _lastTaken) < BusyWindowMs) _stop.Token.WaitHandle.WaitOne(50);
                else _slots.Enqueue(SealingSlot.Create(Key, OptionCount));
            }
        }
        catch (OperationCanceledException)
        {
        }
    }
}

/// <summary>One pool's stock: its option count, capacity, slots ready now, and answers sealed from a slot or directly so far.</summary>
public sealed record SealingStock(int Options, int Capacity, int Ready, long SealedFromStock, long SealedDirectly);

/// <summary>
/// A ballot's sealer: one <see cref="SealingPool"/> per option count its questions have, each question sealed under
/// <see cref="SealingContext.ForQuestion"/>. Build one per ballot when it opens (after the key ceremony), keep it while
/// votes arrive, dispose it at close so the unused slots are wiped.
/// </summary>
public sealed class PaperSealer : IDisposable
{
    private readonly byte[][] _contexts;
    private readonly SealingPool[] _pools;

    /// <param name="optionCounts">Each question's sealed option count (its options, then "spoiled").</param>
    /// <param name="slotsPerQuestion">Slots kept ready for each question: the votes a burst may bring before the background fill catches up.</param>
    public PaperSealer(long ballotId, BallotKey key, IReadOnlyList<int> optionCounts, int slotsPerQuestion, bool fillInBackground = true)
    {
        BallotId = ballotId;
        OptionCounts = [.. optionCounts];
        _contexts = [.. optionCounts.Select((_, q) => SealingContext.ForQuestion(ballotId, q))];
        var pools = optionCounts.Distinct().ToDictionary(k => k,
            k => new SealingPool(key, k, slotsPerQuestion * optionCounts.Count(c => c == k), fillInBackground));
        _pools = [.. optionCounts.Select(k => pools[k])];
    }

    public long BallotId { get; }

    public IReadOnlyList<int> OptionCounts { get; }

    public IEnumerable<SealingPool> Pools => _pools.Distinct();

    /// <summary>Every question's pool has a slot ready: the paper would be sealed from stock, not directly.</summary>
    public bool HasStock
    {
        get
        {
            foreach (var pool in _pools)
                if (!pool.HasStock) return false;
            return true;
        }
    }

    public SealedAnswer Seal(int question, int chosen) => _pools[question].Seal(_contexts[question], chosen);

    /// <summary>Seals a whole paper: <paramref name="chosen"/>[q] is the option index chosen for question q.</summary>
    public IReadOnlyList<SealedAnswer> SealPaper(IReadOnlyList<int> chosen)
    {
        if (chosen.Count != _pools.Length) throw new ArgumentException($"The paper has {_pools.Length} questions.", nameof(chosen));
        var answers = new SealedAnswer[chosen.Count];
        for (var q = 0; q < answers.Length; q++) answers[q] = Seal(q, chosen[q]);
        return answers;
    }

    public void Fill(CancellationToken cancellationToken = default)
    {
        foreach (var pool in Pools) pool.Fill(cancellationToken);
    }

    public void Dispose()
    {
        foreach (var pool in Pools) pool.Dispose();
    }
}

/// <summary>
/// The runtime does not apply <see cref="Thread.Priority"/> on Linux, so a filler thread marked BelowNormal still took an
/// equal share of a busy CPU: during a burst of votes it took a third of the API's CPU from them (docs/performance.md,
/// "Where a sealed vote's CPU goes"). On Linux the filler asks the kernel for the lowest share itself (nice 19): it
/// refills the pool from idle time and yields the cores to requests and the database while they are busy.
/// </summary>
internal static partial class BackgroundPriority
{
    private const int PrioProcess = 0;
    private const int Lowest = 19;

    public static void LowerCurrentThread()
    {
        if (!OperatingSystem.IsLinux()) return;
        try
        {
            // With a thread id, PRIO_PROCESS sets that thread's nice value alone (setpriority(2), "BUGS").
            setpriority(PrioProcess, gettid(), Lowest);
        }
        catch (Exception e) when (e is DllNotFoundException or EntryPointNotFoundException)
        {
            // A C library without gettid: the filler keeps the normal share, as before.
        }
    }

    [LibraryImport("libc", SetLastError = true)]
    private static partial int setpriority(int which, int who, int prio);

    [LibraryImport("libc")]
    private static partial int gettid();
}
