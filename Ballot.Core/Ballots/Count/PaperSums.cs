using System.Data.Common;
using System.Security.Cryptography;
using System.Text;
using Ballot.Core.Common;
using Ballot.Core.Data;
using Ballot.Core.Sealing;
using Dapper;
using Microsoft.Extensions.Logging;

namespace Ballot.Core.Ballots.Count;

/// <summary>A stored sum: the board's <see cref="BoardSum"/> and, once the trustees' decryptions are combined, its totals.</summary>
public sealed record StoredSum(BoardSum Sum, IReadOnlyList<long>? Totals);

/// <summary>
/// The ballot box added up at close (ADR 0904, 0907): every sealed paper's answers added per constituency, question and
/// option, without opening any. One sum per constituency of ballot_constituency and question, ordered by constituency
/// (ordinal) then question, every option a <see cref="Ciphertext.Zero"/> where no paper was cast: the order partial
/// decryptions follow (SEAL-CONTRACT). The vote path keeps running sums per writer and constituency
/// (ballot_running_sum, written with the papers they add up); closing merges them, and sums from its papers, on every
/// core, any constituency whose running sums do not account for exactly its papers (a paper written by another path,
/// or no running sums at all, as after close, when certification recounts).
/// </summary>
public static class PaperSums
{
    private sealed class Running
    {
        public string Constituency { get; init; } = "";
        public long Papers { get; init; }
        public byte[] Ciphertexts { get; init; } = [];
    }

    private sealed class Counted
    {
        public string Constituency { get; init; } = "";
        public long N { get; init; }
    }

    public static async Task<IReadOnlyList<BoardSum>> ComputeAsync(DbConnection conn, DbTransaction? tx, long ballotId, IReadOnlyList<Question> questions,
        ILogger? log = null)
    {
        var constituencies = (await conn.QueryAsync<string>("SELECT constituency FROM ballot_constituency WHERE ballot_id = @ballotId",
            new { ballotId }, tx)).Order(StringComparer.Ordinal).ToList();
        var index = constituencies.Select((c, i) => (c, i)).ToDictionary(x => x.c, x => x.i, StringComparer.Ordinal);
        var options = questions.Select(q => q.Options.Count + 1).ToArray();
        var perConstituency = options.Sum();

        var papers = new long[constituencies.Count];
        foreach (var row in await conn.QueryAsync<Counted>(
            "SELECT constituency AS Constituency, COUNT(*) AS N FROM ballot_paper WHERE ballot_id = @ballotId GROUP BY constituency", new { ballotId }, tx))
        {
            if (!index.TryGetValue(row.Constituency, out var c)) throw UnknownConstituency(row.Constituency);
            papers[c] = row.N;
        }
        var running = (await conn.QueryAsync<Running>(
            "SELECT constituency AS Constituency, papers AS Papers, ciphertexts AS Ciphertexts FROM ballot_running_sum WHERE ballot_id = @ballotId",
            new { ballotId }, tx)).Where(r => index.ContainsKey(r.Constituency)).ToList();
        var accounted = new long[constituencies.Count];
        var misshapen = new bool[constituencies.Count];
        foreach (var r in running)
        {
            accounted[index[r.Constituency]] += r.Papers;
            if (r.Ciphertexts.Length != perConstituency * 4 * Scalar.Size) misshapen[index[r.Constituency]] = true;
        }
        var fromRunning = Enumerable.Range(0, constituencies.Count).Select(c => accounted[c] == papers[c] && !misshapen[c]).ToArray();
        // In constituency order, so each core adds a range of constituencies of its own and merging the cores' sums
        // adds few points (merging two full sets is one full addition per point, on one core).
        var merged = running.Where(r => fromRunning[index[r.Constituency]]).OrderBy(r => index[r.Constituency]).ToList();

        Ciphertext[] sums;
        try
        {
            sums = SumAccumulator.SumParallel(constituencies.Count, options, merged.Count,
                (s, i) => s.AddAffineCiphertexts(index[merged[i].Constituency], merged[i].Ciphertexts));
        }
        catch (AggregateException e) when (e.InnerExceptions.All(x => x is FormatException))
        {
            // A running sum that is not on the curve was not written by a vote store: sum every paper instead.
            log?.LogWarning("A running sum of ballot {BallotId} does not decode; every constituency is summed from its papers", ballotId);
            Array.Fill(fromRunning, false);
            sums = SumAccumulator.SumParallel(constituencies.Count, options, 0, (_, _) => { });
        }

        var fallback = Enumerable.Range(0, constituencies.Count).Where(c => !fromRunning[c] && papers[c] > 0).ToList();
        if (fallback.Count > 0)
        {
            if (running.Count > 0)
                log?.LogInformation("{Constituencies} of ballot {BallotId}'s {All} constituencies are summed from their papers: their running sums do not account for every paper",
                    fallback.Count, ballotId, constituencies.Count);
            var compact = new Dictionary<string, int>(StringComparer.Ordinal);
            foreach (var c in fallback) compact[constituencies[c]] = compact.Count;
            var read = new List<(int Constituency, byte[] Sealed)>();
            await using (var cmd = conn.CreateCommand())
            {
                // Streamed: only the papers of those constituencies are kept.
                cmd.Transaction = tx;
                cmd.CommandText = "SELECT constituency, sealed FROM ballot_paper WHERE ballot_id = @id";
                cmd.AddParameter("id", ballotId);
                await using var reader = await cmd.ExecuteReaderAsync();
                while (await reader.ReadAsync())
                    if (compact.TryGetValue(reader.GetString(0), out var c)) read.Add((c, reader.GetFieldValue<byte[]>(1)));
            }
            Ciphertext[] fromPapers;
            try
            {
                fromPapers = SumAccumulator.SumParallel(compact.Count, options, read.Count, (s, i) => s.AddPaper(read[i].Constituency, read[i].Sealed));
            }
            catch (AggregateException e) when (e.InnerException is FormatException format)
            {
                throw new Conflict($"A ballot paper cannot be read ({format.Message}): the papers were changed.");
            }
            for (var f = 0; f < fallback.Count; f++)
                Array.Copy(fromPapers, f * perConstituency, sums, fallback[f] * perConstituency, perConstituency);
        }

        var result = new List<BoardSum>(constituencies.Count * options.Length);
        for (var c = 0; c < constituencies.Count; c++)
            for (int q = 0, at = c * perConstituency; q < options.Length; at += options[q], q++)
                result.Add(new BoardSum(constituencies[c], q, sums[at..(at + options[q])]));
        return result;
    }

    private static Conflict UnknownConstituency(string constituency) =>
        new($"A ballot paper names constituency '{constituency}', which is not one of this ballot's: the papers were changed.");

    /// <summary>Closing has saved the sums: the running sums add nothing any more (ADR 0907).</summary>
    public static async Task DeleteRunningSumsAsync(DbConnection conn, DbTransaction tx, long ballotId) =>
        await conn.ExecuteAsync("DELETE FROM ballot_running_sum WHERE ballot_id = @ballotId", new { ballotId }, tx);

    public static async Task SaveAsync(DbConnection conn, DbTransaction tx, long ballotId, IReadOnlyList<BoardSum> sums) =>
        await conn.ExecuteAsync("""
            INSERT INTO ballot_sum (ballot_id, constituency, question, ciphertexts) VALUES (@ballotId, @constituency, @question, @ciphertexts)
            """, sums.Zip(EncodeRows([.. sums.Select(s => s.Options)]), (s, bytes) => new { ballotId, constituency = s.Constituency, question = s.Question, ciphertexts = bytes }), tx);

    private sealed class Row
    {
        public string Constituency { get; init; } = "";
        public int Question { get; init; }
        public byte[] Ciphertexts { get; init; } = [];
        public string? Totals { get; init; }
    }

    /// <summary>The stored sums in board order.</summary>
    public static async Task<IReadOnlyList<StoredSum>> LoadAsync(DbConnection conn, DbTransaction? tx, long ballotId)
    {
        var rows = (await conn.QueryAsync<Row>("SELECT constituency, question, ciphertexts, totals FROM ballot_sum WHERE ballot_id = @ballotId", new { ballotId }, tx))
            .OrderBy(r => r.Constituency, StringComparer.Ordinal).ThenBy(r => r.Question).ToList();
        var ciphertexts = DecodeAll([.. rows.Select(r => r.Ciphertexts)]);
        return [.. rows.Select((r, i) => new StoredSum(new BoardSum(r.Constituency, r.Question, ciphertexts[i]),
            r.Totals is null ? null : System.Text.Json.JsonSerializer.Deserialize<long[]>(r.Totals)))];
    }

    /// <summary>
    /// Each stored row's ciphertexts decoded on every core: affine points, each checked against the curve equation
    /// without the square root a compressed point costs (350,000 points for 25,000 constituencies and 7 options).
    /// </summary>
    public static Ciphertext[][] DecodeAll(IReadOnlyList<byte[]> rows)
    {
        var decoded = new Ciphertext[rows.Count][];
        Parallel.For(0, rows.Count, i => decoded[i] = Decode(rows[i]));
        return decoded;
    }

    public static async Task SaveTotalsAsync(DbConnection conn, DbTransaction tx, long ballotId, IReadOnlyList<BoardTotal> totals) =>
        await conn.ExecuteAsync("UPDATE ballot_sum SET totals = @json WHERE ballot_id = @ballotId AND constituency = @constituency AND question = @question",
            totals.Select(t => new { ballotId, constituency = t.Constituency, question = t.Question, json = System.Text.Json.JsonSerializer.Serialize(t.Options) }), tx);

    /// <summary>Every option ciphertext of the sums, in order: position k of a trustee's partial decryptions.</summary>
    public static IReadOnlyList<Ciphertext> Flatten(IEnumerable<BoardSum> sums) => [.. sums.SelectMany(s => s.Options)];

    /// <summary>SHA-256 over every option ciphertext of the sums in order: what the audit chain records at close.</summary>
    public static string HashOf(IEnumerable<BoardSum> sums)
    {
        using var sha = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        foreach (var s in sums)
        {
            sha.AppendData(Encoding.UTF8.GetBytes($"{s.Constituency}\n{s.Question}\n"));
            foreach (var c in s.Options) sha.AppendData(c.Encode());
        }
        return Convert.ToHexStringLower(sha.GetHashAndReset());
    }

    /// <summary>
    /// ballot_sum's form of each row: every option's A then B as 64-byte affine points x ‖ y (the identity all zeros),
    /// all rows normalised together (one field inversion), so the count reads them back without a square root.
    /// </summary>
    public static byte[][] EncodeRows(IReadOnlyList<IReadOnlyList<Ciphertext>> rows)
    {
        var all = Element.EncodeAffineAll([.. rows.SelectMany(r => r.SelectMany(c => (Element[])[c.A, c.B]))]);
        var encoded = new byte[rows.Count][];
        var at = 0;
        for (var i = 0; i < rows.Count; i++)
        {
            var length = rows[i].Count * AffineCiphertextSize;
            encoded[i] = all.AsSpan(at, length).ToArray();
            at += length;
        }
        return encoded;
    }

    private const int AffineCiphertextSize = 4 * Scalar.Size;

    private static Ciphertext[] Decode(byte[] bytes)
    {
        if (bytes.Length % AffineCiphertextSize != 0) throw new FormatException($"A stored sum is {AffineCiphertextSize} bytes per option.");
        var options = new Ciphertext[bytes.Length / AffineCiphertextSize];
        for (var k = 0; k < options.Length; k++)
        {
            var at = k * AffineCiphertextSize;
            options[k] = new Ciphertext(Element.DecodeAffine(bytes.AsSpan(at, AffineCiphertextSize / 2)),
                Element.DecodeAffine(bytes.AsSpan(at + AffineCiphertextSize / 2, AffineCiphertextSize / 2)));
        }
        return options;
    }

    /// <summary>SHA-256 over the ballot's trackers in order, one per line: the receipts hash the result and the certificate carry.</summary>
    public static async Task<(long Count, string Hash)> HashTrackersAsync(DbConnection conn, DbTransaction? tx, long ballotId)
    {
        using var sha = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        long n = 0;
        await using var cmd = conn.CreateCommand();
        cmd.Transaction = tx;
        cmd.CommandText = "SELECT tracker FROM ballot_paper WHERE ballot_id = @id ORDER BY tracker";
        cmd.AddParameter("id", ballotId);
        await using var reader = await cmd.ExecuteReaderAsync();
        var line = new byte[80];
        while (await reader.ReadAsync())
        {
            var len = Encoding.ASCII.GetBytes(reader.GetString(0), line);
            line[len] = (byte)'\n';
            sha.AppendData(line, 0, len + 1);
            n++;
        }
        return (n, Convert.ToHexStringLower(sha.GetHashAndReset()));
    }
}
