using System.Runtime.InteropServices;
using System.Security.Cryptography;
using Microsoft.Data.Sqlite;
using SQLitePCL;

namespace Ballot.Core.Ballots.Voting;

/// <summary>
/// SQLite: counts a ballot's papers per constituency and answers, and hashes their receipts in order, in one pass over
/// the primary key, reading each column's bytes where SQLite holds them (no string per value: a million papers would
/// otherwise cost three million strings). Papers carry no index on their answers, so each vote's commit writes one
/// random page fewer; SQLite's GROUP BY would then sort every paper. See docs/decisions/0212-vote-writer-pages.md.
/// Runs inside whatever transaction the connection has open. The receipts' hash is the same as
/// <see cref="Tally.HashReceiptsAsync"/>'s: SHA-256 over the sorted receipts, one per line.
/// </summary>
internal static class PaperScan
{
    public sealed record Result(List<Tally.Group> Groups, long Receipts, string ReceiptsHash);

    // Runs once per count over a million rows: compiled optimised at once rather than tier by tier.
    [System.Runtime.CompilerServices.MethodImpl(System.Runtime.CompilerServices.MethodImplOptions.AggressiveOptimization)]
    public static Result Run(SqliteConnection conn, long ballotId)
    {
        var db = conn.Handle ?? throw new InvalidOperationException("The connection is not open.");
        Check(db, raw.sqlite3_prepare_v2(db, "SELECT receipt, constituency, answers FROM ballot_paper WHERE ballot_id = ?1 ORDER BY receipt", out sqlite3_stmt stmt));
        using var statement = stmt;
        Check(db, raw.sqlite3_bind_int64(stmt, 1, ballotId));

        using var sha = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        var buffer = new byte[64 * 1024];
        var used = 0;
        long n = 0;
        // Counted as [constituency][answers]: tens of thousands of constituencies but few distinct answers, so two
        // small lookups and an array instead of one large dictionary of pairs.
        var constituencies = new Interner();
        var answerSets = new Interner();
        var counts = new List<long[]>();
        int rc;
        while ((rc = raw.sqlite3_step(stmt)) == raw.SQLITE_ROW)
        {
            var receipt = raw.sqlite3_column_blob(stmt, 0);
            if (used + receipt.Length + 1 > buffer.Length)
            {
                sha.AppendData(buffer, 0, used);
                used = 0;
            }
            receipt.CopyTo(buffer.AsSpan(used));
            used += receipt.Length;
            buffer[used++] = (byte)'\n';
            n++;

            var c = constituencies.IndexOf(raw.sqlite3_column_blob(stmt, 1));
            var a = answerSets.IndexOf(raw.sqlite3_column_blob(stmt, 2));
            if (c == counts.Count) counts.Add(new long[Math.Max(4, answerSets.Count)]);
            var row = counts[c];
            if (a >= row.Length) counts[c] = row = Grow(row, answerSets.Count);
            row[a]++;
        }
        if (rc != raw.SQLITE_DONE) Check(db, rc);
        sha.AppendData(buffer, 0, used);

        var groups = new List<Tally.Group>();
        for (var c = 0; c < counts.Count; c++)
            for (var a = 0; a < counts[c].Length; a++)
                if (counts[c][a] > 0) groups.Add(new Tally.Group { Constituency = constituencies.Text(c), Answers = answerSets.Text(a), N = counts[c][a] });
        return new Result(groups, n, Convert.ToHexStringLower(sha.GetHashAndReset()));
    }

    private static long[] Grow(long[] row, int atLeast)
    {
        var bigger = new long[Math.Max(atLeast, row.Length * 2)];
        row.CopyTo(bigger, 0);
        return bigger;
    }

    /// <summary>Numbers distinct byte strings 0, 1, 2… in order of first sight, looked up without copying them.</summary>
    private sealed class Interner
    {
        private readonly Dictionary<byte[], int> _index;
        private readonly Dictionary<byte[], int>.AlternateLookup<ReadOnlySpan<byte>> _lookup;
        private readonly List<byte[]> _values = [];

        public Interner()
        {
            _index = new Dictionary<byte[], int>(ByteKey.Instance);
            _lookup = _index.GetAlternateLookup<ReadOnlySpan<byte>>();
        }

        public int Count => _values.Count;

        public int IndexOf(ReadOnlySpan<byte> bytes)
        {
            ref var i = ref CollectionsMarshal.GetValueRefOrAddDefault(_lookup, bytes, out var exists);
            if (!exists)
            {
                i = _values.Count;
                _values.Add(bytes.ToArray());
            }
            return i;
        }

        public string Text(int i) => System.Text.Encoding.UTF8.GetString(_values[i]);
    }

    private static void Check(sqlite3 db, int rc)
    {
        if (rc != raw.SQLITE_OK) throw new SqliteException(raw.sqlite3_errmsg(db).utf8_to_string(), rc);
    }

    private sealed class ByteKey : IEqualityComparer<byte[]>, IAlternateEqualityComparer<ReadOnlySpan<byte>, byte[]>
    {
        public static readonly ByteKey Instance = new();
        public bool Equals(byte[]? x, byte[]? y) => x.AsSpan().SequenceEqual(y);
        public int GetHashCode(byte[] k) => GetHashCode((ReadOnlySpan<byte>)k);
        public bool Equals(ReadOnlySpan<byte> alternate, byte[] other) => alternate.SequenceEqual(other);
        public int GetHashCode(ReadOnlySpan<byte> alternate)
        {
            // FNV-1a over 8-byte words, then the tail: equality decides, the hash only spreads.
            var h = 14695981039346656037UL;
            var words = MemoryMarshal.Cast<byte, ulong>(alternate);
            foreach (var w in words) h = (h ^ w) * 1099511628211UL;
            for (var i = words.Length * 8; i < alternate.Length; i++) h = (h ^ alternate[i]) * 1099511628211UL;
            return (int)(h ^ (h >> 32));
        }
        public byte[] Create(ReadOnlySpan<byte> alternate) => alternate.ToArray();
    }
}
