using RandomNumberGenerator = System.Security.Cryptography.RandomNumberGenerator;
using Ballot.Core.Sealing;
using ECPoint = Org.BouncyCastle.Math.EC.ECPoint;
using BigInteger = Org.BouncyCastle.Math.BigInteger;

namespace Ballot.Core.Ballots.Voting;

/// <summary>One writer's running sum of a constituency, as ballot_running_sum stores it.</summary>
public readonly record struct RunningSumRow(long BallotId, string Constituency, long Papers, byte[] Ciphertexts);

/// <summary>
/// One writer's running sums (ADR 0907): per (ballot, constituency), how many papers it has written and the sum of their
/// option ciphertexts in board order, kept as the affine bytes last written to ballot_running_sum. A batch adds its
/// papers to copies (<see cref="Batch"/>), and only once its transaction has committed do they become this writer's
/// sums: a failed batch leaves them as they were (and its store, with this object, is discarded anyway). The writer id
/// is new for every instance, so two writers, or one before and after a restart, never write the same row. Not
/// thread-safe: one per vote store, or per batch of returned papers.
/// </summary>
public sealed class RunningSums
{
    internal const int PointBytes = 2 * Scalar.Size;

    private readonly Dictionary<long, Dictionary<string, (long Papers, byte[] Ciphertexts)>> _sums = new();

    /// <summary>16 hex digits, random: which rows are this writer's.</summary>
    public string Writer { get; } = Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(8));

    public const string UpsertSql = """
        INSERT INTO ballot_running_sum (ballot_id, writer, constituency, papers, ciphertexts) VALUES (@b, @w, @c, @n, @s)
        ON CONFLICT (ballot_id, writer, constituency) DO UPDATE SET papers = excluded.papers, ciphertexts = excluded.ciphertexts
        """;

    public Batch Begin() => new(this);

    /// <summary>Forgets a ballot's sums (its votes are refused now: it is closed).</summary>
    public void Forget(long ballotId) => _sums.Remove(ballotId);

    /// <summary>The sums one batch of papers leads to: this writer's sums plus the batch's papers, not yet its own.</summary>
    public sealed class Batch
    {
        private readonly RunningSums _owner;
        private readonly Dictionary<(long BallotId, string Constituency), Draft> _drafts = new();
        private RunningSumRow[]? _rows;

        internal Batch(RunningSums owner) => _owner = owner;

        public bool IsEmpty => _drafts.Count == 0;

        /// <summary>Adds a paper whose claim won. Its ciphertexts are those the sealer made (no decoding) when it carries them.</summary>
        public void Add(long ballotId, string constituency, SealedVote paper)
        {
            var ciphertexts = paper.Ciphertexts ?? [.. SealedPaper.Decode(paper.Sealed).SelectMany(a => a.Options)];
            if (!_drafts.TryGetValue((ballotId, constituency), out var draft))
            {
                draft = _owner._sums.TryGetValue(ballotId, out var ballot) && ballot.TryGetValue(constituency, out var sum)
                    ? new Draft(sum.Papers, Decode(sum.Ciphertexts))
                    : new Draft(0, Infinity(2 * ciphertexts.Count));
                _drafts.Add((ballotId, constituency), draft);
            }
            // Every paper of a ballot has its shape; one that does not is left out, and closing, finding the count
            // short, sums the constituency from its papers instead.
            if (ciphertexts.Count * 2 != draft.Points.Length) return;
            var points = draft.Points;
            for (var i = 0; i < ciphertexts.Count; i++)
            {
                points[2 * i] = points[2 * i].Add(ciphertexts[i].A.Point);
                points[2 * i + 1] = points[2 * i + 1].Add(ciphertexts[i].B.Point);
            }
            draft.Papers++;
        }

        /// <summary>The rows to write, every touched sum normalised together (one field inversion for the batch).</summary>
        public IReadOnlyList<RunningSumRow> Rows()
        {
            if (_rows is not null) return _rows;
            var all = new ECPoint[_drafts.Values.Sum(d => d.Points.Length)];
            var at = 0;
            foreach (var d in _drafts.Values)
            {
                d.Points.CopyTo(all, at);
                at += d.Points.Length;
            }
            Group.Curve.NormalizeAll(all);
            var rows = new RunningSumRow[_drafts.Count];
            var (r, p) = (0, 0);
            foreach (var ((ballotId, constituency), d) in _drafts)
            {
                var bytes = new byte[d.Points.Length * PointBytes];
                for (var i = 0; i < d.Points.Length; i++, p++)
                    if (!all[p].IsInfinity) all[p].GetEncoded(false).AsSpan(1).CopyTo(bytes.AsSpan(i * PointBytes));
                rows[r++] = new RunningSumRow(ballotId, constituency, d.Papers, bytes);
            }
            return _rows = rows;
        }

        /// <summary>The batch's transaction has committed: its sums become the writer's.</summary>
        public void Committed()
        {
            foreach (var row in Rows())
            {
                if (!_owner._sums.TryGetValue(row.BallotId, out var ballot)) _owner._sums[row.BallotId] = ballot = new(StringComparer.Ordinal);
                ballot[row.Constituency] = (row.Papers, row.Ciphertexts);
            }
        }
    }

    private sealed class Draft(long papers, ECPoint[] points)
    {
        public long Papers { get; set; } = papers;
        public ECPoint[] Points { get; } = points;
    }

    private static ECPoint[] Infinity(int count)
    {
        var points = new ECPoint[count];
        Array.Fill(points, Group.Curve.Infinity);
        return points;
    }

    // This writer's own bytes, written from normalised points: no curve check, no square root.
    private static ECPoint[] Decode(byte[] bytes)
    {
        var points = new ECPoint[bytes.Length / PointBytes];
        for (var i = 0; i < points.Length; i++)
        {
            var xy = bytes.AsSpan(i * PointBytes, PointBytes);
            points[i] = xy.IndexOfAnyExcept((byte)0) < 0 ? Group.Curve.Infinity
                : Group.Curve.CreatePoint(new BigInteger(1, xy[..Scalar.Size]), new BigInteger(1, xy[Scalar.Size..]));
        }
        return points;
    }
}
