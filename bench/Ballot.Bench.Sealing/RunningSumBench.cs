using static BenchArgs;
using System.Data.Common;
using System.Diagnostics;
using Ballot.Core.Ballots;
using Ballot.Core.Ballots.Count;
using Ballot.Core.Ballots.Voting;
using Ballot.Core.Sealing;
using Dapper;
using Microsoft.Data.Sqlite;
using Npgsql;

/// <summary>
/// Running sums on the vote path (ADR 0907), two questions (3 and 4 sealed options, "spoiled" last):
/// (a) the vote path's added CPU per vote: a batch of --batch votes added to one writer's running sums (each paper's
///     ciphertexts as the sealer left them in memory), the touched sums normalised together and encoded, over
///     --constituencies constituencies (every one already holding a sum, as in the middle of a ballot night) and over one;
/// (b) closing from running sums: <see cref="PaperSums.ComputeAsync"/> on a real SQLite file and on PostgreSQL holding
///     --papers papers over --constituencies constituencies and the running sums of --writers writers (the papers dealt
///     round-robin), which reads the papers' count per constituency, reads and merges the running sums; and the count
///     query alone;
/// (c) the same call with the running sums deleted (in a transaction rolled back): every paper read and summed from its
///     stored form, as closing did before.
/// Papers come from bench-only progression slots (<see cref="SealingSlot.InsecureProgressionForBenchmarks"/>). Medians
/// of --runs runs, with one fixed-base multiplication on one core as the unit to compare machines by.
/// </summary>
public static class RunningSumBench
{
    private static readonly int[] OptionCounts = [3, 4];
    private static readonly List<Question> Questions = [new("boycott", "B", ["Yes", "No"]), new("timing", "T", ["Autumn", "Spring", "Never"])];
    private const long BallotId = 1;

    public static int Run(string[] args)
    {
        var papers = Int(args, "--papers", 100_000);
        var constituencies = Int(args, "--constituencies", 25_000);
        var writers = Int(args, "--writers", 3);
        var batchSize = Int(args, "--batch", 64);
        var runs = Int(args, "--runs", 3);
        var dir = Arg(args, "--data") ?? "/tmp/ballot-bench-sums";
        var pg = Arg(args, "--pg") ?? "Host=127.0.0.1;Port=5432;Username=ballot;Password=ballot;Database=postgres";
        var engines = (Arg(args, "--engines") ?? "sqlite,postgres").Split(',');
        Directory.CreateDirectory(dir);
        Console.WriteLine($"running-sum bench: {papers:N0} papers, {constituencies:N0} constituencies, {writers} writers, batches of {batchSize}, " +
            $"{Environment.ProcessorCount} cores, load average {LoadAverage()}");

        var key = new BallotKey(Group.Generator.Multiply(Scalar.Random()));
        var watch = Stopwatch.StartNew();
        var (votes, where) = Papers(key, papers, constituencies);
        Console.WriteLine($"sealed {papers:N0} papers in {watch.Elapsed.TotalSeconds:F0} s (bench-only progression slots)");
        var names = Enumerable.Range(0, constituencies).Select(c => $"c{c:D6}").ToArray();

        var steps = new Dictionary<string, List<double>>();
        void Record(string step, double value) => (steps.TryGetValue(step, out var list) ? list : steps[step] = []).Add(value);
        var unitScalar = Scalar.Random();
        for (var run = 1; run <= runs; run++)
        {
            var t = Stopwatch.StartNew();
            for (var i = 0; i < 1000; i++) Group.Generator.Multiply(unitScalar);
            Record("unit: one fixed-base multiplication, one core (µs)", t.Elapsed.TotalMicroseconds / 1000);
            Record($"(a) vote path, {constituencies:N0} constituencies: per vote (µs)", VotePath(votes, names, batchSize, 20_000, spread: true));
            Record("(a) vote path, 1 constituency: per vote (µs)", VotePath(votes, names, batchSize, 20_000, spread: false));
            Console.WriteLine($"run {run} (a): {string.Join(", ", steps.Select(x => $"{x.Value[^1]:F1}"))} µs; load average {LoadAverage()}");
        }

        foreach (var engine in engines)
        {
            var open = engine == "sqlite" ? Sqlite(Path.Combine(dir, "sums.db")) : Postgres(pg);
            Load(open, engine, votes, where, names, writers);
            if (engine == "postgres" && Int(args, "--statement-batches", 300) is var statementBatches and > 0)
            {
                var (one, two) = Statements(open, votes, where, names, batchSize, statementBatches);
                Record($"(d) postgres: batch of {batchSize} papers and their sums, one statement (µs per batch)", one);
                Record($"(d) postgres: batch of {batchSize} papers, then their sums in a second statement (µs per batch)", two);
            }
            for (var run = 1; run <= runs; run++)
            {
                IReadOnlyList<Ballot.Core.Sealing.BoardSum> fromRunning = [], fromPapers = [];
                Record($"(b) {engine}: close from running sums (count check, read, merge), s", TimeInTransaction(open, async (c, tx) =>
                {
                    fromRunning = await PaperSums.ComputeAsync(c, tx, BallotId, Questions);
                    return null;
                }));
                Record($"(b) {engine}: of which the count check (GROUP BY over the papers), s", TimeInTransaction(open, async (c, tx) =>
                {
                    await c.QueryAsync("SELECT constituency, COUNT(*) FROM ballot_paper WHERE ballot_id = @BallotId GROUP BY constituency", new { BallotId }, tx);
                    return null;
                }));
                Record($"(c) {engine}: close from the papers (running sums deleted, rolled back), s", TimeInTransaction(open, async (c, tx) =>
                {
                    await c.ExecuteAsync("DELETE FROM ballot_running_sum WHERE ballot_id = @BallotId", new { BallotId }, tx);
                    var watch = Stopwatch.StartNew();
                    fromPapers = await PaperSums.ComputeAsync(c, tx, BallotId, Questions);
                    return watch.Elapsed.TotalSeconds;
                }));
                if (PaperSums.HashOf(fromRunning) != PaperSums.HashOf(fromPapers)) throw new InvalidOperationException("The sums from running sums differ from the papers'.");
                Console.WriteLine($"run {run} {engine} done; load average {LoadAverage()}");
            }
        }

        Console.WriteLine();
        Console.WriteLine($"{"step",-80} {"median",10}  runs");
        foreach (var (step, values) in steps)
            Console.WriteLine($"{step,-80} {Median(values),10:F3}  {string.Join(" ", values.Select(v => v.ToString("F3")))}");
        foreach (var engine in engines)
        {
            double M(string prefix) => steps.First(s => s.Key.StartsWith($"{prefix} {engine}")).Value is var v ? Median(v) : double.NaN;
            var (close, count, old) = (M("(b)"), Median(steps.First(s => s.Key.StartsWith($"(b) {engine}: of which")).Value), M("(c)"));
            var scale = 1_000_000.0 / papers;
            // The merge reads one row per writer and constituency whatever the papers; the count check and the old sum grow with the papers.
            Console.WriteLine($"{engine}: projected to 1,000,000 papers: from running sums {close - count + count * scale:F1} s " +
                $"(read and merge {close - count:F2} s, count check {count * scale:F1} s), from the papers {old * scale:F1} s");
        }
        return 0;
    }

    /// <summary>Per vote, µs: batches of votes added to one writer's sums, normalised, encoded and taken as committed.</summary>
    private static double VotePath(SealedVote[] votes, string[] names, int batchSize, int count, bool spread)
    {
        var sums = new RunningSums();
        var random = new Random(7);
        // Every constituency holds a sum already: the decoding of a committed sum is part of the cost.
        if (spread)
            for (var c = 0; c < names.Length; c += batchSize)
            {
                var warm = sums.Begin();
                for (var k = c; k < Math.Min(names.Length, c + batchSize); k++) warm.Add(BallotId, names[k], votes[k % votes.Length]);
                warm.Rows();
                warm.Committed();
            }
        var watch = Stopwatch.StartNew();
        for (var done = 0; done < count; done += batchSize)
        {
            var batch = sums.Begin();
            for (var k = 0; k < batchSize; k++)
                batch.Add(BallotId, spread ? names[random.Next(names.Length)] : names[0], votes[(done + k) % votes.Length]);
            batch.Rows();
            batch.Committed();
        }
        return watch.Elapsed.TotalMicroseconds / count;
    }

    /// <summary>
    /// (d) PostgreSQL: a batch's papers and its running sums written in one statement (the sums joined to the papers the
    /// statement inserted, as the vote store joins them to the claims won) or in two (the papers, then the sums), each
    /// batch its own durable commit; ballot 2's rows, deleted afterwards. Medians per batch, the two ways alternating.
    /// </summary>
    private static (double One, double Two) Statements(Func<Task<DbConnection>> open, SealedVote[] votes, int[] where, string[] names, int batchSize, int batches)
    {
        const string papersSql = "INSERT INTO ballot_paper (ballot_id, tracker, constituency, sealed) SELECT 2, t, c, s FROM unnest(@t, @c, @s) AS v (t, c, s)";
        const string sumsSql = """
            INSERT INTO ballot_running_sum (ballot_id, writer, constituency, papers, ciphertexts)
            SELECT 2, @w, c, n, x FROM unnest(@sc, @sn, @sx) AS s (c, n, x)
            ON CONFLICT (ballot_id, writer, constituency) DO UPDATE SET papers = excluded.papers, ciphertexts = excluded.ciphertexts
            """;
        const string oneSql = """
            WITH papers AS (
                INSERT INTO ballot_paper (ballot_id, tracker, constituency, sealed) SELECT 2, t, c, s FROM unnest(@t, @c, @s) AS v (t, c, s) RETURNING constituency),
            won AS (SELECT constituency, COUNT(*) AS n FROM papers GROUP BY constituency)
            INSERT INTO ballot_running_sum (ballot_id, writer, constituency, papers, ciphertexts)
            SELECT 2, @w, s.c, s.n, s.x FROM unnest(@sc, @sent, @sn, @sx) AS s (c, sent, n, x) JOIN won ON won.constituency = s.c AND won.n = s.sent
            ON CONFLICT (ballot_id, writer, constituency) DO UPDATE SET papers = excluded.papers, ciphertexts = excluded.ciphertexts
            """;
        using var conn = (NpgsqlConnection)open().GetAwaiter().GetResult();
        NpgsqlCommand Command(string sql, bool papers, bool sums, bool sent)
        {
            var cmd = new NpgsqlCommand(sql, conn);
            if (papers)
            {
                cmd.Parameters.Add(new NpgsqlParameter("t", NpgsqlTypes.NpgsqlDbType.Array | NpgsqlTypes.NpgsqlDbType.Text));
                cmd.Parameters.Add(new NpgsqlParameter("c", NpgsqlTypes.NpgsqlDbType.Array | NpgsqlTypes.NpgsqlDbType.Text));
                cmd.Parameters.Add(new NpgsqlParameter("s", NpgsqlTypes.NpgsqlDbType.Array | NpgsqlTypes.NpgsqlDbType.Bytea));
            }
            if (sums)
            {
                cmd.Parameters.Add(new NpgsqlParameter("w", NpgsqlTypes.NpgsqlDbType.Text) { Value = "bench" });
                cmd.Parameters.Add(new NpgsqlParameter("sc", NpgsqlTypes.NpgsqlDbType.Array | NpgsqlTypes.NpgsqlDbType.Text));
                cmd.Parameters.Add(new NpgsqlParameter("sn", NpgsqlTypes.NpgsqlDbType.Array | NpgsqlTypes.NpgsqlDbType.Bigint));
                cmd.Parameters.Add(new NpgsqlParameter("sx", NpgsqlTypes.NpgsqlDbType.Array | NpgsqlTypes.NpgsqlDbType.Bytea));
            }
            if (sent) cmd.Parameters.Add(new NpgsqlParameter("sent", NpgsqlTypes.NpgsqlDbType.Array | NpgsqlTypes.NpgsqlDbType.Bigint));
            cmd.Prepare();
            return cmd;
        }
        using var one = Command(oneSql, true, true, true);
        using var first = Command(papersSql, true, false, false);
        using var second = Command(sumsSql, false, true, false);
        var running = new RunningSums();
        var times = (One: new List<double>(), Two: new List<double>());
        var random = new Random(3);
        for (var b = 0; b < 2 * batches; b++)
        {
            var picked = Enumerable.Range(0, batchSize).Select(_ => random.Next(votes.Length)).ToArray();
            var batch = running.Begin();
            foreach (var i in picked) batch.Add(2, names[where[i]], votes[i]);
            var rows = batch.Rows();
            var useOne = b % 2 == 0;
            void Set(NpgsqlCommand cmd)
            {
                if (cmd.Parameters.Contains("t"))
                {
                    cmd.Parameters["t"].Value = picked.Select(_ => Guid.NewGuid().ToString("N")).ToArray();
                    cmd.Parameters["c"].Value = picked.Select(i => names[where[i]]).ToArray();
                    cmd.Parameters["s"].Value = picked.Select(i => votes[i].Sealed).ToArray();
                }
                if (cmd.Parameters.Contains("sc"))
                {
                    cmd.Parameters["sc"].Value = rows.Select(r => r.Constituency).ToArray();
                    cmd.Parameters["sn"].Value = rows.Select(r => r.Papers).ToArray();
                    cmd.Parameters["sx"].Value = rows.Select(r => r.Ciphertexts).ToArray();
                }
                if (cmd.Parameters.Contains("sent"))
                    cmd.Parameters["sent"].Value = rows.Select(r => (long)picked.Count(i => names[where[i]] == r.Constituency)).ToArray();
            }
            var watch = Stopwatch.StartNew();
            using (var tx = conn.BeginTransaction())
            {
                foreach (var cmd in useOne ? [one] : (NpgsqlCommand[])[first, second])
                {
                    Set(cmd);
                    cmd.Transaction = tx;
                    cmd.ExecuteNonQuery();
                }
                tx.Commit();
            }
            (useOne ? times.One : times.Two).Add(watch.Elapsed.TotalMicroseconds);
            batch.Committed();
        }
        conn.Execute("DELETE FROM ballot_paper WHERE ballot_id = 2; DELETE FROM ballot_running_sum WHERE ballot_id = 2");
        return (Median(times.One), Median(times.Two));
    }

    private static (SealedVote[] Votes, int[] Where) Papers(BallotKey key, int papers, int constituencies)
    {
        var votes = new SealedVote[papers];
        var where = new int[papers];
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
                three.MoveNext();
                four.MoveNext();
                votes[i] = SealedVote.Of([three.Current.Seal(contexts[0], random.Next(3)), four.Current.Seal(contexts[1], random.Next(4))]);
            }
        });
        return (votes, where);
    }

    /// <summary>The schema of migrations 0201, 0905 and 0906 (the last read from Ballot.Core itself), without the foreign keys to ballot.</summary>
    private static void Load(Func<Task<DbConnection>> open, string engine, SealedVote[] votes, int[] where, string[] names, int writers)
    {
        var watch = Stopwatch.StartNew();
        using var conn = open().GetAwaiter().GetResult();
        using var resource = typeof(PaperSums).Assembly.GetManifestResourceStream($"db/{engine}/0906_running_sums.sql")
            ?? throw new InvalidOperationException("migration 0906 is not in Ballot.Core");
        var runningSql = new StreamReader(resource).ReadToEnd().Replace(" REFERENCES ballot (id)", "");
        var blob = engine == "sqlite" ? "BLOB" : "BYTEA";
        conn.Execute($"""
            DROP TABLE IF EXISTS ballot_constituency; DROP TABLE IF EXISTS ballot_paper; DROP TABLE IF EXISTS ballot_running_sum;
            CREATE TABLE ballot_constituency (ballot_id BIGINT NOT NULL, constituency TEXT NOT NULL, name TEXT NOT NULL, entitled INTEGER NOT NULL,
                PRIMARY KEY (ballot_id, constituency));
            CREATE TABLE ballot_paper (ballot_id BIGINT NOT NULL, tracker TEXT {(engine == "sqlite" ? "" : "COLLATE \"C\"")} NOT NULL, constituency TEXT NOT NULL,
                sealed {blob} NOT NULL, PRIMARY KEY (ballot_id, tracker)) {(engine == "sqlite" ? "WITHOUT ROWID" : "")};
            """);
        conn.Execute(runningSql);
        using (var tx = conn.BeginTransaction())
        {
            conn.Execute("INSERT INTO ballot_constituency (ballot_id, constituency, name, entitled) VALUES (@BallotId, @c, @c, 100)",
                names.Select(c => new { BallotId, c }), tx);
            if (conn is NpgsqlConnection pg)
            {
                using var copy = pg.BeginBinaryImport("COPY ballot_paper (ballot_id, tracker, constituency, sealed) FROM STDIN (FORMAT BINARY)");
                for (var i = 0; i < votes.Length; i++) copy.WriteRow(BallotId, votes[i].Tracker, names[where[i]], votes[i].Sealed);
                copy.Complete();
            }
            else
                conn.Execute("INSERT INTO ballot_paper (ballot_id, tracker, constituency, sealed) VALUES (@BallotId, @Tracker, @Constituency, @Sealed)",
                    votes.Select((v, i) => new { BallotId, v.Tracker, Constituency = names[where[i]], v.Sealed }), tx);
            for (var w = 0; w < writers; w++)
            {
                var sums = new RunningSums();
                var batch = sums.Begin();
                for (var i = w; i < votes.Length; i += writers) batch.Add(BallotId, names[where[i]], votes[i]);
                conn.Execute(RunningSums.UpsertSql, batch.Rows().Select(r => new { b = r.BallotId, w = sums.Writer, c = r.Constituency, n = r.Papers, s = r.Ciphertexts }), tx);
            }
            tx.Commit();
        }
        foreach (var sql in engine == "sqlite" ? ["ANALYZE main"] : (string[])["VACUUM ANALYZE ballot_paper", "VACUUM ANALYZE ballot_running_sum"]) conn.Execute(sql);
        var rows = conn.ExecuteScalar<long>("SELECT COUNT(*) FROM ballot_running_sum");
        Console.WriteLine($"{engine}: loaded {votes.Length:N0} papers and {rows:N0} running-sum rows in {watch.Elapsed.TotalSeconds:F0} s");
    }

    private static Func<Task<DbConnection>> Sqlite(string file)
    {
        foreach (var f in new[] { file, file + "-wal", file + "-shm" }) File.Delete(f);
        return async () =>
        {
            var conn = new SqliteConnection($"Data Source={file}");
            await conn.OpenAsync();
            await conn.ExecuteAsync("PRAGMA journal_mode = WAL; PRAGMA synchronous = NORMAL");
            return conn;
        };
    }

    private static Func<Task<DbConnection>> Postgres(string admin)
    {
        using (var conn = new NpgsqlConnection(admin))
        {
            conn.Open();
            conn.Execute("DROP DATABASE IF EXISTS ballot_bench_sums");
            conn.Execute("CREATE DATABASE ballot_bench_sums");
        }
        var cs = new NpgsqlConnectionStringBuilder(admin) { Database = "ballot_bench_sums" }.ConnectionString;
        return async () =>
        {
            var conn = new NpgsqlConnection(cs);
            await conn.OpenAsync();
            return conn;
        };
    }

    /// <summary>Seconds of the action, in a transaction rolled back afterwards; or the seconds the action measured itself.</summary>
    private static double TimeInTransaction(Func<Task<DbConnection>> open, Func<DbConnection, DbTransaction, Task<double?>> action) =>
        Task.Run(async () =>
        {
            await using var conn = await open();
            await using var tx = await conn.BeginTransactionAsync();
            var watch = Stopwatch.StartNew();
            var own = await action(conn, tx);
            var elapsed = watch.Elapsed.TotalSeconds;
            await tx.RollbackAsync();
            return own ?? elapsed;
        }).GetAwaiter().GetResult();
}
