using Org.BouncyCastle.Math.EC;

namespace Ballot.Core.Sealing;

/// <summary>
/// Adds the option ciphertexts of many papers into one sum per (constituency, question, option), the order of the
/// board's sums (<see cref="Board.Sums"/>). Points stay in projective coordinates while they are added and are
/// normalised together once at the end (one field inversion for all of them). Not thread-safe: give each worker its
/// own accumulator and <see cref="Merge"/> them, or call <see cref="SumParallel"/>.
/// </summary>
public sealed class SumAccumulator
{
    private readonly ECPoint[] _a;
    private readonly ECPoint[] _b;
    private readonly int[] _offsets;

    public SumAccumulator(int constituencies, IReadOnlyList<int> optionCounts)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(constituencies);
        if (optionCounts.Count == 0 || optionCounts.Any(k => k is < 2 or > byte.MaxValue))
            throw new ArgumentException("Every question has 2 to 255 sealed options.", nameof(optionCounts));
        Constituencies = constituencies;
        OptionCounts = [.. optionCounts];
        _offsets = new int[optionCounts.Count];
        for (var q = 1; q < _offsets.Length; q++) _offsets[q] = _offsets[q - 1] + optionCounts[q - 1];
        PerConstituency = optionCounts.Sum();
        _a = new ECPoint[constituencies * PerConstituency];
        _b = new ECPoint[_a.Length];
        Array.Fill(_a, Group.Curve.Infinity);
        Array.Fill(_b, Group.Curve.Infinity);
    }

    public int Constituencies { get; }

    public IReadOnlyList<int> OptionCounts { get; }

    /// <summary>Option ciphertexts per constituency: the sum of the option counts.</summary>
    public int PerConstituency { get; }

    public long Papers { get; private set; }

    /// <summary>Adds a stored paper (<see cref="SealedPaper"/> bytes), reading only its ciphertexts; its shape must match the ballot's.</summary>
    public void AddPaper(int constituency, ReadOnlySpan<byte> sealedPaper)
    {
        var at = Start(constituency);
        if (sealedPaper.Length == 0 || sealedPaper[0] != SealedPaper.Version) throw new FormatException($"A sealed paper starts with version {SealedPaper.Version}.");
        var read = 1;
        for (var q = 0; q < OptionCounts.Count; q++)
        {
            var k = OptionCounts[q];
            var size = 1 + k * (Ciphertext.Size + 4 * Scalar.Size) + 2 * Scalar.Size;
            if (read + size > sealedPaper.Length || sealedPaper[read] != k) throw new FormatException($"The paper's answer to question {q} does not have {k} options.");
            var ciphertexts = sealedPaper.Slice(read + 1, k * Ciphertext.Size);
            for (var i = 0; i < k; i++)
            {
                Add(ref _a[at + _offsets[q] + i], Element.Decode(ciphertexts.Slice(i * Ciphertext.Size, Element.Size)));
                Add(ref _b[at + _offsets[q] + i], Element.Decode(ciphertexts.Slice(i * Ciphertext.Size + Element.Size, Element.Size)));
            }
            read += size;
        }
        if (read != sealedPaper.Length) throw new FormatException("The paper has more answers than the ballot has questions.");
        Papers++;
    }

    /// <summary>
    /// Adds a paper's ciphertexts in the affine form (<see cref="SealedPaper.EncodeAffineCiphertexts"/>): no square root
    /// per point, unlike the compressed form, only a check of the curve equation.
    /// </summary>
    public void AddAffineCiphertexts(int constituency, ReadOnlySpan<byte> ciphertexts)
    {
        var at = Start(constituency);
        const int size = 4 * Scalar.Size;
        if (ciphertexts.Length != PerConstituency * size) throw new FormatException($"A paper's affine ciphertexts are {PerConstituency * size} bytes.");
        for (var i = 0; i < PerConstituency; i++)
        {
            Add(ref _a[at + i], Element.DecodeAffine(ciphertexts.Slice(i * size, size / 2)));
            Add(ref _b[at + i], Element.DecodeAffine(ciphertexts.Slice(i * size + size / 2, size / 2)));
        }
        Papers++;
    }

    public void AddPaper(int constituency, IReadOnlyList<SealedAnswer> answers)
    {
        var at = Start(constituency);
        if (answers.Count != OptionCounts.Count) throw new FormatException($"A paper has {OptionCounts.Count} answers.");
        for (var q = 0; q < answers.Count; q++)
        {
            if (answers[q].Options.Count != OptionCounts[q]) throw new FormatException($"The paper's answer to question {q} does not have {OptionCounts[q]} options.");
            for (var i = 0; i < OptionCounts[q]; i++)
            {
                Add(ref _a[at + _offsets[q] + i], answers[q].Options[i].A);
                Add(ref _b[at + _offsets[q] + i], answers[q].Options[i].B);
            }
        }
        Papers++;
    }

    public void Merge(SumAccumulator other)
    {
        if (other.Constituencies != Constituencies || !other.OptionCounts.SequenceEqual(OptionCounts))
            throw new ArgumentException("Only accumulators of the same ballot merge.", nameof(other));
        for (var i = 0; i < _a.Length; i++)
        {
            _a[i] = _a[i].Add(other._a[i]);
            _b[i] = _b[i].Add(other._b[i]);
        }
        Papers += other.Papers;
    }

    /// <summary>The sums in the board's order: constituency, then question, then option.</summary>
    public Ciphertext[] Sums()
    {
        var points = new ECPoint[_a.Length * 2];
        _a.CopyTo(points, 0);
        _b.CopyTo(points, _a.Length);
        Group.Curve.NormalizeAll(points);
        var sums = new Ciphertext[_a.Length];
        for (var i = 0; i < sums.Length; i++)
            sums[i] = new Ciphertext(points[i].IsInfinity ? Element.Identity : new Element(points[i]),
                points[_a.Length + i].IsInfinity ? Element.Identity : new Element(points[_a.Length + i]));
        return sums;
    }

    /// <summary>
    /// Sums many papers on every core: each worker adds a contiguous chunk into its own accumulator, then they merge.
    /// <paramref name="add"/> adds paper i (for instance with <see cref="AddPaper(int, ReadOnlySpan{byte})"/>).
    /// </summary>
    public static Ciphertext[] SumParallel(int constituencies, IReadOnlyList<int> optionCounts, int papers,
        Action<SumAccumulator, int> add, int? degreeOfParallelism = null)
    {
        var workers = Math.Max(1, Math.Min(degreeOfParallelism ?? Environment.ProcessorCount, Math.Max(1, papers / 1000)));
        var parts = new SumAccumulator[workers];
        Parallel.For(0, workers, new ParallelOptions { MaxDegreeOfParallelism = workers }, w =>
        {
            var part = new SumAccumulator(constituencies, optionCounts);
            var (from, to) = ((int)((long)papers * w / workers), (int)((long)papers * (w + 1) / workers));
            for (var i = from; i < to; i++) add(part, i);
            parts[w] = part;
        });
        for (var w = 1; w < workers; w++) parts[0].Merge(parts[w]);
        return parts[0].Sums();
    }

    private int Start(int constituency)
    {
        if ((uint)constituency >= (uint)Constituencies) throw new ArgumentOutOfRangeException(nameof(constituency));
        return constituency * PerConstituency;
    }

    private static void Add(ref ECPoint sum, Element element) => sum = sum.Add(element.Point);
}
