using System.Buffers.Binary;
using Org.BouncyCastle.Math.EC;

namespace Ballot.Core.Sealing;

/// <summary>
/// Solves m from m·G for 0 ≤ m ≤ max by baby-step giant-step: a table of j·G for j below the step, built once,
/// then at most max/step giant steps per total. A count's totals are small (at most the largest constituency), so
/// with <see cref="ForCount"/> the table covers them all and each total is one look-up.
/// </summary>
public sealed class DiscreteLog
{
    // A table of 2^20 points costs about 100 MB and a second or two to build; beyond it, giant steps are cheaper.
    public const int MaxTable = 1 << 20;

    private readonly Dictionary<PointKey, int> _babySteps;
    private readonly ECPoint _giantStep;
    private readonly int _step;

    public DiscreteLog(long max, int? step = null)
    {
        if (max < 0) throw new ArgumentOutOfRangeException(nameof(max));
        Max = max;
        _step = step ?? (int)Math.Ceiling(Math.Sqrt(max + 1.0));
        if (_step < 1) throw new ArgumentOutOfRangeException(nameof(step));
        var g = Group.Generator.Value.Point;
        var points = new ECPoint[_step];
        points[0] = Group.Curve.Infinity;
        for (var j = 1; j < _step; j++) points[j] = points[j - 1].Add(g);
        Group.Curve.NormalizeAll(points);
        _babySteps = new Dictionary<PointKey, int>(_step);
        for (var j = 0; j < _step; j++) _babySteps.TryAdd(PointKey.Of(points[j]), j);
        _giantStep = Group.Generator.Multiply(Scalar.From(_step)).Negate().Point;
    }

    /// <summary>A table that covers every total up to <paramref name="max"/> in one look-up, up to <see cref="MaxTable"/> entries.</summary>
    public static DiscreteLog ForCount(long max) => new(max, (int)Math.Min(max + 1, Math.Max(MaxTable, (long)Math.Ceiling(Math.Sqrt(max + 1.0)))));

    public long Max { get; }

    public long Solve(Element target)
    {
        var point = target.Point.Normalize();
        for (long i = 0; i * _step <= Max; i++)
        {
            // The key is the whole encoding, so a hit is the answer: no collision can yield a wrong total.
            if (_babySteps.TryGetValue(PointKey.Of(point), out var j) && i * _step + j <= Max) return i * _step + j;
            point = point.Add(_giantStep).Normalize();
        }
        throw new SealingException($"The total is not between 0 and {Max}: a sum or a partial decryption is wrong.");
    }

    /// <summary>Solves many totals, normalising them together (one field inversion per giant step for the lot); -1 where a total is out of range.</summary>
    public long[] SolveAll(IReadOnlyList<Element> targets)
    {
        var solved = new long[targets.Count];
        Array.Fill(solved, -1);
        var points = targets.Select(t => t.Point).ToArray();
        var open = Enumerable.Range(0, points.Length).ToList();
        for (long i = 0; i * _step <= Max && open.Count > 0; i++)
        {
            var batch = open.Select(k => points[k]).ToArray();
            Group.Curve.NormalizeAll(batch);
            var still = new List<int>();
            for (var n = 0; n < open.Count; n++)
            {
                if (_babySteps.TryGetValue(PointKey.Of(batch[n]), out var j) && i * _step + j <= Max) solved[open[n]] = i * _step + j;
                else
                {
                    points[open[n]] = batch[n].Add(_giantStep);
                    still.Add(open[n]);
                }
            }
            open = still;
        }
        return solved;
    }

    /// <summary>A normalised point's whole compressed encoding (parity and x), as a value a dictionary can hash.</summary>
    private readonly record struct PointKey(ulong X0, ulong X1, ulong X2, ulong X3, byte Parity)
    {
        public static PointKey Of(ECPoint normalized)
        {
            if (normalized.IsInfinity) return default;
            var e = normalized.GetEncoded(true).AsSpan();
            return new(BinaryPrimitives.ReadUInt64BigEndian(e[1..]), BinaryPrimitives.ReadUInt64BigEndian(e[9..]),
                BinaryPrimitives.ReadUInt64BigEndian(e[17..]), BinaryPrimitives.ReadUInt64BigEndian(e[25..]), e[0]);
        }
    }
}
