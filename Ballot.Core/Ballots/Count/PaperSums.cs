using System.Collections.Concurrent;
using System.Data.Common;
using System.Security.Cryptography;
using System.Text;
using Ballot.Core.Common;
using Ballot.Core.Data;
using Ballot.Core.Sealing;
using Dapper;

namespace Ballot.Core.Ballots.Count;

/// <summary>A stored sum: the board's <see cref="BoardSum"/> and, once the trustees' decryptions are combined, its totals.</summary>
public sealed record StoredSum(BoardSum Sum, IReadOnlyList<long>? Totals);

/// <summary>
/// The ballot box added up at close (ADR 0904): every sealed paper's answers added per constituency, question and option,
/// without opening any. One sum per constituency of ballot_constituency and question, ordered by constituency (ordinal)
/// then question, every option a <see cref="Ciphertext.Zero"/> where no paper was cast: the order partial decryptions
/// follow (SEAL-CONTRACT). Papers are decoded and added on every core, each thread into sums of its own.
/// </summary>
public static class PaperSums
{
    private sealed class Paper
    {
        public string Constituency { get; init; } = "";
        public byte[] Sealed { get; init; } = [];
    }

    public static async Task<IReadOnlyList<BoardSum>> ComputeAsync(DbConnection conn, DbTransaction? tx, long ballotId, IReadOnlyList<Question> questions)
    {
        var constituencies = (await conn.QueryAsync<string>("SELECT constituency FROM ballot_constituency WHERE ballot_id = @ballotId",
            new { ballotId }, tx)).Order(StringComparer.Ordinal).ToList();
        var papers = (await conn.QueryAsync<Paper>("SELECT constituency, sealed FROM ballot_paper WHERE ballot_id = @ballotId", new { ballotId }, tx)).ToList();
        var index = constituencies.Select((c, i) => (c, i)).ToDictionary(x => x.c, x => x.i, StringComparer.Ordinal);
        var options = questions.Select(q => q.Options.Count + 1).ToArray();
        var total = NewSums(constituencies.Count, options);
        var gate = new object();
        if (papers.Count > 0)
        {
            try
            {
                Parallel.ForEach(
                    System.Collections.Concurrent.Partitioner.Create(0, papers.Count, Math.Max(256, papers.Count / (4 * Environment.ProcessorCount) + 1)),
                    () => NewSums(constituencies.Count, options),
                    (range, _, mine) =>
                    {
                        for (var i = range.Item1; i < range.Item2; i++)
                        {
                            var paper = papers[i];
                            if (!index.TryGetValue(paper.Constituency, out var c))
                                throw new Conflict($"A ballot paper names constituency '{paper.Constituency}', which is not one of this ballot's: the papers were changed.");
                            var answers = Decode(paper.Sealed, options);
                            for (var q = 0; q < options.Length; q++)
                                for (var k = 0; k < options[q]; k++) mine[c][q][k] = mine[c][q][k].Add(answers[q].Options[k]);
                        }
                        return mine;
                    },
                    mine =>
                    {
                        lock (gate)
                            for (var c = 0; c < total.Length; c++)
                                for (var q = 0; q < options.Length; q++)
                                    for (var k = 0; k < options[q]; k++) total[c][q][k] = total[c][q][k].Add(mine[c][q][k]);
                    });
            }
            catch (AggregateException e) when (e.InnerException is Conflict conflict)
            {
                throw conflict;
            }
        }
        var sums = new List<BoardSum>(constituencies.Count * options.Length);
        for (var c = 0; c < constituencies.Count; c++)
            for (var q = 0; q < options.Length; q++) sums.Add(new BoardSum(constituencies[c], q, total[c][q]));
        return sums;
    }

    private static IReadOnlyList<SealedAnswer> Decode(byte[] bytes, int[] options)
    {
        IReadOnlyList<SealedAnswer> answers;
        try
        {
            answers = SealedPaper.Decode(bytes);
        }
        catch (Exception e) when (e is FormatException or ArgumentException or InvalidOperationException)
        {
            throw new Conflict($"A ballot paper cannot be read ({e.Message}): the papers were changed.");
        }
        if (answers.Count != options.Length || answers.Where((a, q) => a.Options.Count != options[q]).Any())
            throw new Conflict("A ballot paper does not have the shape of this ballot's questions: the papers were changed.");
        return answers;
    }

    private static Ciphertext[][][] NewSums(int constituencies, int[] options) =>
        [.. Enumerable.Range(0, constituencies).Select(_ => options.Select(k => Enumerable.Repeat(Ciphertext.Zero, k).ToArray()).ToArray())];

    public static async Task SaveAsync(DbConnection conn, DbTransaction tx, long ballotId, IReadOnlyList<BoardSum> sums) =>
        await conn.ExecuteAsync("""
            INSERT INTO ballot_sum (ballot_id, constituency, question, ciphertexts) VALUES (@ballotId, @constituency, @question, @ciphertexts)
            """, sums.Select(s => new { ballotId, constituency = s.Constituency, question = s.Question, ciphertexts = Encode(s.Options) }), tx);

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
    /// Each stored row's ciphertexts (compressed points, a square root each: 350,000 of them for 25,000 constituencies
    /// and 7 options), decoded on every core.
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

    private static byte[] Encode(IReadOnlyList<Ciphertext> options) => [.. options.SelectMany(c => c.Encode())];

    private static Ciphertext[] Decode(byte[] bytes) =>
        [.. Enumerable.Range(0, bytes.Length / Ciphertext.Size).Select(k => Ciphertext.Decode(bytes.AsSpan(k * Ciphertext.Size, Ciphertext.Size)))];

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
