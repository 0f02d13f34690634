using static BenchArgs;
using System.Diagnostics;
using Ballot.Core.Ballots.Count;
using Ballot.Core.Sealing;

/// <summary>
/// The server's part of a sealed ballot's count once the sums exist (issue 17, ADR 0908), at the issue's size by
/// default: 25,000 constituencies, two questions of 3 and 4 sealed options (175,000 option sums), 2-of-3 trustees.
/// The sums are made cheaply (each is a prefix sum of encryptions of 1 plus two encryptions of 0 from pools, so its
/// total, 0 to 62, is known and the solve is real; one in a thousand is an empty constituency's (O, O)), and trustees
/// 1 and 2 decrypt them once (batched: shares and one proof each); all of it is cached under --data. Each run then
/// times, with the server's own classes: decoding the stored sums (affine points, as <see cref="PaperSums.LoadAsync"/>),
/// decoding the two posted decryptions (the endpoint's JSON), checking both (<see cref="SealedCount.Check"/>), and
/// opening and solving (<see cref="SealedCount.Open"/>); and, for the verifier's projection, --papers sealed papers
/// decoded and verified on one core and on all. Medians of --runs runs, beside the unit (a fixed-base multiplication).
///   --windows 11,13,15: also time one trustee's batch check with each bucket window.
/// </summary>
public static class CountBench
{
    private static readonly int[] OptionCounts = [3, 4];
    private const int PerConstituency = 7;
    private const long BallotId = 1;
    private const int MaxTotal = 62;

    public static int Run(string[] args)
    {
        var constituencies = Int(args, "--constituencies", 25_000);
        var runs = Int(args, "--runs", 3);
        var paperCount = Int(args, "--papers", 200);
        var windows = Arg(args, "--windows")?.Split(',').Select(int.Parse).ToArray() ?? [];
        var dir = Path.Combine(Arg(args, "--data") ?? "/tmp/ballot-bench-count", $"sums-{constituencies}");
        Directory.CreateDirectory(dir);
        var sumCount = constituencies * PerConstituency;
        Console.WriteLine($"count bench: {constituencies:N0} constituencies, {sumCount:N0} option sums, {Environment.ProcessorCount} cores, data {dir}");

        var trustees = Ceremony(dir);
        var key = trustees[0].Key;
        var ceremony = new StoredCeremony(trustees[0].Settings, key);
        var (stored, totals) = Sums(dir, new BallotKey(key.PublicKey), sumCount);
        var flat = new Ciphertext[sumCount];
        Parallel.For(0, sumCount, k => flat[k] = Ciphertext.Decode(stored.AsSpan(k * Ciphertext.Size, Ciphertext.Size)));
        var context = SealingContext.ForBallot(BallotId);
        var posted = Decryptions(dir, trustees, context, flat);
        // ballot_sum's rows as PaperSums.SaveAsync writes them (affine points).
        var rows = PaperSums.EncodeRows([.. Enumerable.Range(0, constituencies * OptionCounts.Length)
            .Select(i => (IReadOnlyList<Ciphertext>)flat[RowStart(i)..(RowStart(i) + OptionCounts[i % 2])])]);
        var papers = Papers(new BallotKey(key.PublicKey), paperCount);
        Console.WriteLine($"bucket window for {sumCount:N0} shares: {BatchDecryption.WindowFor(sumCount)} bits; load average {LoadAverage()}");

        var steps = new Dictionary<string, List<double>>();
        void Time(string step, Action action)
        {
            var watch = Stopwatch.StartNew();
            action();
            (steps.TryGetValue(step, out var list) ? list : steps[step] = []).Add(watch.Elapsed.TotalSeconds);
        }
        var scalar = Scalar.Random();
        for (var run = 1; run <= runs; run++)
        {
            Time("unit: 1,000 fixed-base multiplications, one core", () => { for (var i = 0; i < 1000; i++) Group.Generator.Multiply(scalar); });
            Ciphertext[][] decoded = [];
            Time($"count 1: decode the stored sums ({rows.Length:N0} rows, {2 * sumCount:N0} affine points)", () => decoded = PaperSums.DecodeAll(rows));
            var sums = decoded.Select((c, i) => new BoardSum($"c{i / 2:D6}", i % 2, c)).ToList();
            var sumsFlat = PaperSums.Flatten(sums);
            BoardDecryption[] decryptions = [];
            Time($"count 2: decode 2 posted decryptions ({2 * sumCount:N0} affine shares)", () => decryptions = [.. posted.Select(SealingJson.Deserialize<BoardDecryption>)]);
            Time($"count 3: check 2 trustees' batched proofs ({sumCount:N0} shares each)", () =>
            {
                foreach (var d in decryptions) SealedCount.Check(ceremony, sumsFlat, d);
            });
            IReadOnlyList<BoardTotal> opened = [];
            Time("count 4: open with integer Lagrange weights and solve every total", () => opened = SealedCount.Open(ceremony, sums, decryptions, MaxTotal));
            if (!opened.SelectMany(t => t.Options).SequenceEqual(totals)) throw new InvalidOperationException("The totals are not the ones the sums were made with.");
            foreach (var c in windows)
                Time($"window {c,2}: check 1 trustee's batched proof", () =>
                {
                    if (!BatchDecryption.Verify(context, key, sumsFlat, decryptions[0], c)) throw new InvalidOperationException("The batch does not verify.");
                });
            var contexts = OptionCounts.Select((_, q) => SealingContext.ForQuestion(BallotId, q)).ToArray();
            var ballotKey = new BallotKey(key.PublicKey);
            void VerifyPaper(byte[] bytes)
            {
                var answers = SealedPaper.Decode(bytes);
                for (var q = 0; q < answers.Count; q++)
                    if (!answers[q].Verify(ballotKey, contexts[q])) throw new InvalidOperationException("A paper does not verify.");
                SealedPaper.Tracker(answers);
            }
            Time($"verify {papers.Length} papers (decode, proofs, tracker), one core", () => { foreach (var p in papers) VerifyPaper(p); });
            Time($"verify {papers.Length} papers, all cores", () => Parallel.ForEach(papers, VerifyPaper));
            Time($"decode {papers.Length} papers only (14 compressed points each), one core", () => { foreach (var p in papers) SealedPaper.Decode(p); });
            Console.WriteLine($"run {run} done; load average {LoadAverage()}");
        }

        Console.WriteLine();
        Console.WriteLine($"{"step",-80} {"median s",9}  runs");
        foreach (var (step, times) in steps)
            Console.WriteLine($"{step,-80} {Median(times),9:F3}  {string.Join(" ", times.Select(t => t.ToString("F3")))}");
        double M(string prefix) => Median(steps.First(s => s.Key.StartsWith(prefix)).Value);
        var unit = M("unit") / 1000;
        var count = M("count 1") + M("count 2") + M("count 3") + M("count 4");
        var perPaper = M($"verify {papers.Length} papers (") / papers.Length;
        var perPaperAll = M($"verify {papers.Length} papers, all") / papers.Length;
        Console.WriteLine();
        Console.WriteLine($"one fixed-base multiplication: {unit * 1e6:F0} µs (one core; the unit to compare machines by)");
        Console.WriteLine($"count after the sums, {sumCount:N0} sums, 2 trustees: {count:F2} s (decode sums {M("count 1"):F2}, decode shares {M("count 2"):F2}, check {M("count 3"):F2}, open+solve {M("count 4"):F2})");
        // The server checks each trustee's shares as they arrive: when the t-th arrives, only its shares are left to check.
        Console.WriteLine($"  as the server runs it when the last of 2 trustees posts (the first was checked on arrival): {count - M("count 3") / 2:F2} s");
        Console.WriteLine($"  check: {M("count 3") / (2.0 * sumCount) * 1e6:F1} µs per share wall ({M("count 3") / (2.0 * sumCount) / unit:F3} units)");
        Console.WriteLine($"verifier: {perPaper * 1e3:F2} ms per paper on one core ({perPaper / unit:F0} units), {perPaperAll * 1e3:F2} ms wall on {Environment.ProcessorCount} cores; decoding alone {M("decode") / papers.Length * 1e3:F3} ms");
        Console.WriteLine($"  1,000,000 papers: {1e6 * perPaperAll / 60:F0} min on this machine's {Environment.ProcessorCount} cores; {1e6 * perPaper / 60:F0} core-minutes, "
            + $"so about {Math.Ceiling(1e6 * perPaper / 60 / Environment.ProcessorCount):F0} machines like this one with --part K/N for 60 s of proofs each");
        return 0;
    }

    private static int RowStart(int row) => row / 2 * PerConstituency + (row % 2 == 0 ? 0 : OptionCounts[0]);

    private static Trustee[] Ceremony(string dir)
    {
        var file = Path.Combine(dir, "trustees.json");
        if (File.Exists(file)) return [.. SealingJson.Deserialize<TrusteeSecrets[]>(File.ReadAllText(file)).Select(Trustee.Restore)];
        var settings = new CeremonySettings(BallotId, 2, 3);
        var trustees = Enumerable.Range(1, 3).Select(i => Trustee.Create(settings, i)).ToArray();
        var announcements = trustees.Select(t => t.Announce()).ToArray();
        var messages = trustees.Select(t => t.Deal(announcements)).ToArray();
        foreach (var t in trustees) t.Finish(announcements, messages);
        File.WriteAllText(file, SealingJson.Serialize(trustees.Select(t => t.Export()).ToArray()));
        return trustees;
    }

    /// <summary>The sums as ballot_sum stores them (compressed), and each one's total.</summary>
    private static (byte[] Stored, long[] Totals) Sums(string dir, BallotKey key, int count)
    {
        string sumsFile = Path.Combine(dir, "sums.bin"), totalsFile = Path.Combine(dir, "totals.bin");
        if (!File.Exists(totalsFile))
        {
            var watch = Stopwatch.StartNew();
            var random = new Random(17);
            Ciphertext Encrypt(int m) => key.Encrypt(m, Scalar.Random());
            // ones[m] = the sum of m encryptions of 1; zeros: encryptions of 0, two of which make each sum distinct.
            var ones = new Ciphertext[MaxTotal + 1];
            ones[0] = Encrypt(0);
            for (var m = 1; m <= MaxTotal; m++) ones[m] = ones[m - 1].Add(Encrypt(1));
            var zeros = Enumerable.Range(0, 1024).Select(_ => Encrypt(0)).ToArray();
            var totals = new long[count];
            var sums = new Ciphertext[count];
            for (var k = 0; k < count; k++)
            {
                if (random.Next(1000) == 0)
                {
                    sums[k] = Ciphertext.Zero;
                    continue;
                }
                totals[k] = random.Next(MaxTotal + 1);
                sums[k] = ones[totals[k]].Add(zeros[random.Next(512)]).Add(zeros[512 + random.Next(512)]);
            }
            var stored = new byte[count * Ciphertext.Size];
            Parallel.For(0, count, k => sums[k].Encode().CopyTo(stored, k * Ciphertext.Size));
            File.WriteAllBytes(sumsFile, stored);
            File.WriteAllBytes(totalsFile, [.. totals.SelectMany(BitConverter.GetBytes)]);
            Console.WriteLine($"made {count:N0} sums in {watch.Elapsed.TotalSeconds:F0} s (cached)");
        }
        var totalBytes = File.ReadAllBytes(totalsFile);
        return (File.ReadAllBytes(sumsFile), [.. Enumerable.Range(0, totalBytes.Length / 8).Select(i => BitConverter.ToInt64(totalBytes, 8 * i))]);
    }

    /// <summary>Trustees 1 and 2's decryptions as each would post them (JSON), made once.</summary>
    private static string[] Decryptions(string dir, Trustee[] trustees, byte[] context, IReadOnlyList<Ciphertext> sums) =>
    [
        .. trustees.Take(2).Select(t =>
        {
            var file = Path.Combine(dir, $"decryption-{t.Index}.json");
            if (!File.Exists(file))
            {
                var watch = Stopwatch.StartNew();
                File.WriteAllText(file, SealingJson.Serialize(t.Decrypt(context, sums)));
                Console.WriteLine($"trustee {t.Index} decrypted {sums.Count:N0} sums in {watch.Elapsed.TotalSeconds:F0} s (cached)");
            }
            return File.ReadAllText(file);
        }),
    ];

    /// <summary>Sealed papers as ballot_paper stores them (bench-only progression slots, whose answers verify).</summary>
    private static byte[][] Papers(BallotKey key, int count)
    {
        var contexts = OptionCounts.Select((_, q) => SealingContext.ForQuestion(BallotId, q)).ToArray();
        using var three = SealingSlot.InsecureProgressionForBenchmarks(key, 3).GetEnumerator();
        using var four = SealingSlot.InsecureProgressionForBenchmarks(key, 4).GetEnumerator();
        var random = new Random(5);
        var papers = new byte[count][];
        for (var i = 0; i < count; i++)
        {
            three.MoveNext();
            four.MoveNext();
            papers[i] = SealedPaper.Encode([three.Current.Seal(contexts[0], random.Next(3)), four.Current.Seal(contexts[1], random.Next(4))]);
        }
        return papers;
    }
}
