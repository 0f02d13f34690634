using System.Diagnostics;
using Ballot.Core.Sealing;

/// <summary>
/// The count of a sealed ballot (issue 17): N sealed papers (two questions: 3 and 4 sealed options, "spoiled" last)
/// over C constituencies, as stored (<see cref="SealedPaper"/> bytes) and in the affine side form; time summing both
/// ways, checking two of three trustees' partial decryptions, opening with integer Lagrange weights and solving, and
/// verifying a sample of papers as the board verifier does. Papers are generated once with bench-only progression
/// slots (<see cref="SealingSlot.InsecureProgressionForBenchmarks"/>) and cached under --data; the trustees' partial
/// decryptions are cached too. Prints each step's median of --runs runs and the per-operation cost, and what that
/// cost projects to for 1,000,000 papers and 25,000 constituencies.
/// </summary>
public static class CountBench
{
    private static readonly int[] OptionCounts = [3, 4];
    private const int PerConstituency = 7;
    private const long BallotId = 1;

    public static int Run(string[] args)
    {
        var papers = Int(args, "--papers", 1_000_000);
        var constituencies = Int(args, "--constituencies", 25_000);
        var runs = Int(args, "--runs", 3);
        var verifySample = Int(args, "--verify-sample", 200);
        var checkSample = Int(args, "--check-sample", int.MaxValue);
        // --checks-only: only the partial-decryption checks, opening and solving (the sums come from the first pass).
        var checksOnly = args.Contains("--checks-only");
        var root = Arg(args, "--data") ?? "/tmp/ballot-bench-count";
        var dir = Path.Combine(root, $"{papers}-{constituencies}");
        Directory.CreateDirectory(dir);
        Console.WriteLine($"count bench: {papers:N0} papers, {constituencies:N0} constituencies, {Environment.ProcessorCount} cores, data {dir}");

        var trustees = Ceremony(dir);
        var key = trustees[0].Key;
        var ballotKey = new BallotKey(key.PublicKey);
        var paperSize = SealedPaper.SizeOf(OptionCounts);
        var (stored, affine, where, cast) = Papers(dir, ballotKey, papers, constituencies, paperSize);
        var largest = where.GroupBy(c => c).Max(g => (long)g.Count());
        Console.WriteLine($"largest constituency: {largest} papers; sealed paper {paperSize} bytes, affine ciphertexts {PerConstituency * 128} bytes");

        var sums = SumAccumulator.SumParallel(constituencies, OptionCounts, papers, (s, i) => s.AddPaper(where[i], stored.AsSpan(i * paperSize, paperSize)));
        var context = SealingContext.ForBallot(BallotId);
        var partials = Partials(dir, trustees, context, sums);
        var settings = trustees[0].Settings;

        var steps = new Dictionary<string, List<double>>();
        void Time(string step, Action action)
        {
            var watch = Stopwatch.StartNew();
            action();
            (steps.TryGetValue(step, out var list) ? list : steps[step] = []).Add(watch.Elapsed.TotalSeconds);
        }
        var fixedBase = Scalar.Random();
        BatchDecryption[] batches = [];
        for (var run = 1; run <= runs; run++)
        {
            Ciphertext[] fromStored = [], fromAffine = [];
            Time("unit: 1,000 fixed-base multiplications, one core", () => { for (var i = 0; i < 1000; i++) Group.Generator.Multiply(fixedBase); });
            if (!checksOnly)
            {
            Time("sum: stored papers (compressed points, a square root each)", () =>
                fromStored = SumAccumulator.SumParallel(constituencies, OptionCounts, papers, (s, i) => s.AddPaper(where[i], stored.AsSpan(i * paperSize, paperSize))));
            Time("sum: affine side form (no square root)", () =>
                fromAffine = SumAccumulator.SumParallel(constituencies, OptionCounts, papers, (s, i) => s.AddAffineCiphertexts(where[i], affine.AsSpan(i * PerConstituency * 128, PerConstituency * 128))));
            if (!fromStored.SequenceEqual(sums) || !fromAffine.SequenceEqual(sums)) throw new InvalidOperationException("The sums differ.");
            }
            var checkedSums = Math.Min(checkSample, sums.Length);
            Time($"check 2 trustees' partial decryptions ({checkedSums:N0} sums each)", () =>
            {
                foreach (var p in partials)
                    if (ThresholdDecryption.FirstInvalid(context, key, sums[..checkedSums], p[0].Trustee, p.Take(checkedSums).ToArray()) >= 0)
                        throw new InvalidOperationException("A partial decryption does not verify.");
            });
            if (run == 1) batches = [.. trustees.Take(2).Select(t => t.DecryptBatch(context, sums))];
            Time($"proposal: check 2 trustees' batched decryptions ({sums.Length:N0} shares each, one proof)", () =>
            {
                foreach (var b in batches)
                    if (!b.Verify(context, key, sums)) throw new InvalidOperationException("A batched decryption does not verify.");
            });
            DiscreteLog log = null!;
            Time("discrete-log table (largest constituency)", () => log = DiscreteLog.ForCount(largest));
            long[] totals = [];
            Time("open with integer Lagrange weights and solve every total", () =>
            {
                var opened = ThresholdDecryption.OpenScaled(settings, sums, partials, out var scale);
                if (scale != 1) throw new InvalidOperationException("Trustees 1 and 2 have integer weights.");
                totals = log.SolveAll(opened);
            });
            if (!totals.SequenceEqual(cast)) throw new InvalidOperationException("The totals are not the votes cast.");
            var sample = checksOnly ? 0 : Math.Min(verifySample, papers);
            Time($"verify {sample} papers' proofs and trackers (verifier, all cores)", () =>
            {
                var contexts = OptionCounts.Select((_, q) => SealingContext.ForQuestion(BallotId, q)).ToArray();
                Parallel.For(0, sample, i =>
                {
                    var answers = SealedPaper.Decode(stored.AsSpan(i * paperSize, paperSize));
                    for (var q = 0; q < answers.Count; q++)
                        if (!answers[q].Verify(ballotKey, contexts[q])) throw new InvalidOperationException($"Paper {i} does not verify.");
                    SealedPaper.Tracker(answers);
                });
            });
            Console.WriteLine($"run {run} done; load average {File.ReadAllText("/proc/loadavg").Split(' ')[0]}");
        }

        Console.WriteLine();
        Console.WriteLine($"{"step",-72} {"median s",10}  runs");
        foreach (var (step, times) in steps)
            Console.WriteLine($"{step,-72} {Median(times),10:F3}  {string.Join(" ", times.Select(t => t.ToString("F2")))}");
        var unit = Median(steps.First().Value) / 1000;
        double Per(string prefix, double count) => steps.FirstOrDefault(s => s.Key.StartsWith(prefix)).Value is { } v ? Median(v) / count : double.NaN;
        var perStored = Per("sum: stored", papers);
        var perAffine = Per("sum: affine", papers);
        var perCheck = Per("check", 2.0 * Math.Min(checkSample, sums.Length));
        var perOpen = Per("open", sums.Length);
        var perBatch = Per("proposal", 2.0 * sums.Length);
        var perPaper = Per("verify", Math.Min(verifySample, papers));
        Console.WriteLine();
        Console.WriteLine($"one fixed-base multiplication: {unit * 1e6:F0} µs (one core; the unit to compare machines by)");
        Console.WriteLine($"per paper summed, stored form: {perStored * 1e6:F1} µs wall on all cores; affine form: {perAffine * 1e6:F1} µs");
        Console.WriteLine($"per partial decryption checked: {perCheck * 1e6:F1} µs wall; per sum opened and solved: {perOpen * 1e6:F1} µs; per paper verified: {perPaper * 1e3:F2} ms");
        const double bigPapers = 1_000_000, bigSums = 25_000.0 * PerConstituency;
        Console.WriteLine($"projected for 1,000,000 papers, 25,000 constituencies ({bigSums:N0} sums), this machine as loaded now:");
        Console.WriteLine($"  count, stored form: {bigPapers * perStored + 2 * bigSums * perCheck + bigSums * perOpen:F0} s (sum {bigPapers * perStored:F0}, check {2 * bigSums * perCheck:F0}, open+solve {bigSums * perOpen:F1})");
        Console.WriteLine($"  count, affine form: {bigPapers * perAffine + 2 * bigSums * perCheck + bigSums * perOpen:F0} s (sum {bigPapers * perAffine:F0})");
        Console.WriteLine($"  count, affine form, batched decryption proofs (proposal): {bigPapers * perAffine + 2 * bigSums * perBatch + bigSums * perOpen:F0} s (check {2 * bigSums * perBatch:F1})");
        Console.WriteLine($"  verify the board: {bigPapers * perPaper + 2 * bigSums * perCheck:F0} s (papers {bigPapers * perPaper:F0}, partial decryptions {2 * bigSums * perCheck:F0})");
        return 0;
    }

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

    private static (byte[] Stored, byte[] Affine, int[] Where, long[] Cast) Papers(string dir, BallotKey key, int papers, int constituencies, int paperSize)
    {
        string storedFile = Path.Combine(dir, "papers.bin"), affineFile = Path.Combine(dir, "affine.bin"),
            whereFile = Path.Combine(dir, "where.bin"), castFile = Path.Combine(dir, "cast.bin");
        if (!File.Exists(castFile))
        {
            var watch = Stopwatch.StartNew();
            var stored = new byte[(long)papers * paperSize];
            var affine = new byte[(long)papers * PerConstituency * 128];
            var where = new int[papers];
            var choices = new int[papers * 2];
            var workers = Environment.ProcessorCount * 2;
            Parallel.For(0, workers, w =>
            {
                var random = new Random(17 + w);
                using var three = SealingSlot.InsecureProgressionForBenchmarks(key, 3).GetEnumerator();
                using var four = SealingSlot.InsecureProgressionForBenchmarks(key, 4).GetEnumerator();
                var contexts = OptionCounts.Select((_, q) => SealingContext.ForQuestion(BallotId, q)).ToArray();
                for (var i = (int)((long)papers * w / workers); i < (int)((long)papers * (w + 1) / workers); i++)
                {
                    where[i] = random.Next(constituencies);
                    choices[2 * i] = random.Next(10) switch { < 6 => 0, < 9 => 1, _ => 2 };
                    choices[2 * i + 1] = random.Next(4);
                    three.MoveNext();
                    four.MoveNext();
                    SealedAnswer[] answers = [three.Current.Seal(contexts[0], choices[2 * i]), four.Current.Seal(contexts[1], choices[2 * i + 1])];
                    SealedPaper.Encode(answers).CopyTo(stored, (long)i * paperSize);
                    SealedPaper.EncodeAffineCiphertexts(answers).CopyTo(affine, (long)i * PerConstituency * 128);
                }
            });
            var cast = new long[constituencies * PerConstituency];
            for (var i = 0; i < papers; i++)
            {
                cast[where[i] * PerConstituency + choices[2 * i]]++;
                cast[where[i] * PerConstituency + 3 + choices[2 * i + 1]]++;
            }
            File.WriteAllBytes(storedFile, stored);
            File.WriteAllBytes(affineFile, affine);
            File.WriteAllBytes(whereFile, [.. where.SelectMany(BitConverter.GetBytes)]);
            File.WriteAllBytes(castFile, [.. cast.SelectMany(BitConverter.GetBytes)]);
            Console.WriteLine($"generated {papers:N0} papers in {watch.Elapsed.TotalSeconds:F0} s (bench-only progression slots)");
        }
        var whereBytes = File.ReadAllBytes(whereFile);
        var castBytes = File.ReadAllBytes(castFile);
        return (File.ReadAllBytes(storedFile), File.ReadAllBytes(affineFile),
            [.. Enumerable.Range(0, whereBytes.Length / 4).Select(i => BitConverter.ToInt32(whereBytes, 4 * i))],
            [.. Enumerable.Range(0, castBytes.Length / 8).Select(i => BitConverter.ToInt64(castBytes, 8 * i))]);
    }

    private static IReadOnlyList<PartialDecryption>[] Partials(string dir, Trustee[] trustees, byte[] context, Ciphertext[] sums)
    {
        var file = Path.Combine(dir, "partials-1-2.json");
        if (File.Exists(file)) return SealingJson.Deserialize<PartialDecryption[][]>(File.ReadAllText(file));
        var watch = Stopwatch.StartNew();
        var partials = new PartialDecryption[2][];
        for (var t = 0; t < 2; t++) partials[t] = [.. trustees[t].Decrypt(context, sums)];
        Console.WriteLine($"two trustees decrypted {sums.Length:N0} sums each in {watch.Elapsed.TotalSeconds:F0} s (cached)");
        File.WriteAllText(file, SealingJson.Serialize(partials));
        return partials;
    }

    private static double Median(List<double> values) => values.Order().ElementAt(values.Count / 2);

    private static int Int(string[] args, string name, int fallback) => Arg(args, name) is { } v ? int.Parse(v) : fallback;

    private static string? Arg(string[] args, string name)
    {
        var i = Array.IndexOf(args, name);
        return i >= 0 && i + 1 < args.Length ? args[i + 1] : null;
    }
}
