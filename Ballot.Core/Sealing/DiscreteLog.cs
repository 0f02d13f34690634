using System.Buffers.Binary;
using Org.BouncyCastle.Math.EC;

namespace Ballot.Core.Sealing;

/// <summary>
/// Solves m from m·G for 0 ≤ m ≤ max by baby-step giant-step: a table of j·G for j below the step, built once,
/// then at most max/step giant steps per total. A count's totals are small (at most the electorate), so this is quick.
/// </summary>
public sealed class DiscreteLog
{
    private readonly Dictionary<ulong, int> _babySteps;
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
        _babySteps = new Dictionary<ulong, int>(_step);
        for (var j = 0; j < _step; j++) _babySteps.TryAdd(Key(points[j]), j);
        _giantStep = Group.Generator.Multiply(Scalar.From(_step)).Negate().Point;
    }

    public long Max { get; }

    public long Solve(Element target)
    {
        var point = target.Point;
        for (long i = 0; i * _step <= Max; i++)
        {
            if (_babySteps.TryGetValue(Key(point), out var j))
            {
                var m = i * _step + j;
                // The table is keyed on 64 bits of x; confirm, so a collision can never yield a wrong total.
                if (m <= Max && Group.Generator.Multiply(Scalar.From(m)).Equals(target)) return m;
            }
            point = point.Add(_giantStep);
        }
        throw new SealingException($"The total is not between 0 and {Max}: a sum or a partial decryption is wrong.");
    }

    private static ulong Key(ECPoint point)
    {
        if (point.IsInfinity) return 0;
        var encoded = point.GetEncoded(true);
        return BinaryPrimitives.ReadUInt64BigEndian(encoded.AsSpan(1)) ^ encoded[0];
    }
}
