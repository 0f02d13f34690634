// Motion search through the real API process (Release build): 20,000 generated motions, then full-text queries
// over HTTP from one client, one request at a time, timing each request from send to the last byte read.
// Usage: dotnet run -c Release --project bench/Ballot.Bench.Motions -- [--motions 20000] [--requests 300] [--runs 3] [--warmup 30] [--engine sqlite|postgres] [--keep]
using System.Data.Common;
using System.Diagnostics;
using System.Globalization;
using System.Net.Http.Headers;
using Dapper;
using Microsoft.Data.Sqlite;
using Npgsql;

var motions = Arg("--motions", 20_000);
var requests = Arg("--requests", 300);
var runs = Arg("--runs", 3);
// 30 s: the runtime's dynamic PGO recompiles the hot methods for about that long after start-up, and on 2 cores that
// work gave the first half-minute's searches a p99 near 7 ms (with DOTNET_TieredPGO=0: 3.6 ms); a server that has
// been running is past it.
var warmup = Arg("--warmup", 30);
var engine = ArgS("--engine", "sqlite");
var keep = args.Contains("--keep");
var pgAdmin = Environment.GetEnvironmentVariable("BALLOT_TEST_PG") ?? "Host=127.0.0.1;Port=5432;Username=ballot;Password=ballot;Database=postgres";
var root = FindRoot();
var apiDll = Path.Combine(root, "Ballot.Api/bin/Release/net10.0/Ballot.Api.dll");
if (!File.Exists(apiDll)) { Console.Error.WriteLine($"Build first: dotnet build -c Release Ballot.sln ({apiDll} missing)"); return 1; }

// A mix of what staff search for: common and rare words, phrases, and one conference's motions.
string[] queries =
[
    "\"performance related pay\"", "pay", "workload", "boycott ballot", "\"national ballot\"", "academies funding",
    "\"class sizes\" primary", "ofsted inspection", "supply teachers pensions", "threshold", "governors parents", "conference:1 pay",
];

var work = Path.Combine(Path.GetTempPath(), "ballot-bench-motions");
Console.WriteLine($"engine={engine} motions={motions} requests/query/run={requests} queries={queries.Length} runs={runs} cores={Environment.ProcessorCount}");
var p50s = new List<double>(); var p99s = new List<double>(); var maxes = new List<double>();
var baseP50s = new List<double>(); var baseP99s = new List<double>();
var perQuery = queries.ToDictionary(q => q, _ => new List<double>());
for (var run = 1; run <= runs; run++)
{
    var dir = Path.Combine(work, $"run{run}");
    if (Directory.Exists(dir)) Directory.Delete(dir, true);
    Directory.CreateDirectory(dir);
    string conn;
    string? pgDb = null;
    if (engine == "postgres")
    {
        pgDb = $"ballot_bench_motions_{run}_{Environment.ProcessId}";
        await Pg($"CREATE DATABASE {pgDb}");
        conn = new NpgsqlConnectionStringBuilder(pgAdmin) { Database = pgDb }.ConnectionString;
    }
    else conn = $"Data Source={Path.Combine(dir, "ballot.db")}";

    // Token first (also applies the migrations), then the motions straight into the database in one transaction.
    var token = (await Run("dotnet", [apiDll, "tokens", "create", "--role", "organiser", "--name", "Bench"], conn)).Trim().Split('\n')[^1].Trim();
    var seedTime = Stopwatch.StartNew();
    await Seed(conn, engine, motions);
    Console.WriteLine($"run {run}: {motions} motions written and indexed in {seedTime.Elapsed.TotalSeconds:0.0} s");
    // Staff search motions written over months, not the ones written a second ago: the seed's few hundred MB of dirty
    // pages go to disk first (the kernel's writeback otherwise competes with the searches for a minute on 2 cores).
    var settle = Stopwatch.StartNew();
    await Run("sync", [], conn);
    Console.WriteLine($"run {run}: written to disk (sync) in {settle.Elapsed.TotalSeconds:0.0} s");

    var port = FreePort();
    var api = Start(apiDll, conn, port);
    try
    {
        using var http = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{port}") };
        while (true)
        {
            try { if ((await http.GetAsync("/health")).IsSuccessStatusCode) break; } catch (HttpRequestException) { }
            await Task.Delay(20);
        }
        http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", token);
        string Url(string q) => q.StartsWith("conference:1 ", StringComparison.Ordinal)
            ? "/api/motions/search?conferenceId=1&q=" + Uri.EscapeDataString(q["conference:1 ".Length..])
            : "/api/motions/search?q=" + Uri.EscapeDataString(q);
        // Warm-up, as a server that has been running meets its searches: the same mix for --warmup seconds (JIT tiers,
        // connection pool, page cache), then a pause for the runtime's background recompilation to finish.
        var warm = Stopwatch.StartNew();
        while (warm.Elapsed.TotalSeconds < warmup) { await Get(http, "/api/me"); foreach (var q in queries) await Get(http, Url(q)); }
        await Task.Delay(1000);
        var all = new List<double>();
        var hits = new Dictionary<string, int>();
        var baseline = new List<double>();
        for (var i = 0; i < requests; i++)
        {
            // The ceiling: an authenticated request that does no search (token check and JSON only), interleaved.
            var b = Stopwatch.GetTimestamp();
            await Get(http, "/api/me");
            baseline.Add(Stopwatch.GetElapsedTime(b).TotalMilliseconds);
            foreach (var q in queries)
            {
                var t = Stopwatch.GetTimestamp();
                var n = await Get(http, Url(q));
                var ms = Stopwatch.GetElapsedTime(t).TotalMilliseconds;
                all.Add(ms);
                perQuery[q].Add(ms);
                hits[q] = n;
            }
        }
        all.Sort();
        baseline.Sort();
        baseP50s.Add(Pct(baseline, 50)); baseP99s.Add(Pct(baseline, 99));
        p50s.Add(Pct(all, 50)); p99s.Add(Pct(all, 99)); maxes.Add(all[^1]);
        Console.WriteLine($"run {run}: GET /api/me p50 {Pct(baseline, 50):0.00} ms  p99 {Pct(baseline, 99):0.00} ms (the ceiling)");
        Console.WriteLine($"run {run}: {all.Count} searches  p50 {Pct(all, 50):0.00} ms  p99 {Pct(all, 99):0.00} ms  max {all[^1]:0.00} ms   (results per query: {string.Join(", ", queries.Select(q => $"{q}={hits[q]}"))})");
    }
    finally
    {
        api.Kill(entireProcessTree: true);
        await api.WaitForExitAsync();
        if (pgDb is not null && !keep) { NpgsqlConnection.ClearAllPools(); await Pg($"DROP DATABASE IF EXISTS {pgDb} WITH (FORCE)"); }
        if (keep) Console.WriteLine($"kept: {conn}");
    }
}
Console.WriteLine($"median over {runs} runs: search p50 {Median(p50s):0.00} ms  p99 {Median(p99s):0.00} ms  max {Median(maxes):0.00} ms;  GET /api/me p50 {Median(baseP50s):0.00} ms  p99 {Median(baseP99s):0.00} ms");
Console.WriteLine("per query over all runs (p50 / p99 ms):");
foreach (var (q, list) in perQuery)
{
    list.Sort();
    Console.WriteLine($"  {q,-30} {Pct(list, 50),6:0.00} / {Pct(list, 99),6:0.00}");
}
return 0;

static async Task<int> Get(HttpClient http, string url)
{
    using var r = await http.GetAsync(url);
    var body = await r.Content.ReadAsStringAsync();
    if (!r.IsSuccessStatusCode) throw new InvalidOperationException($"{url}: {(int)r.StatusCode} {body}");
    var n = 0;
    for (var i = body.IndexOf("\"snippet\"", StringComparison.Ordinal); i >= 0; i = body.IndexOf("\"snippet\"", i + 1, StringComparison.Ordinal)) n++;
    return n;
}

static async Task Seed(string conn, string engine, int count)
{
    var rng = new Random(2001);
    await using DbConnection db = engine == "postgres" ? new NpgsqlConnection(conn) : new SqliteConnection(conn);
    await db.OpenAsync();
    await using var tx = await db.BeginTransactionAsync();
    var now = engine == "postgres" ? (object)DateTimeOffset.UtcNow : DateTimeOffset.UtcNow.ToString("yyyy-MM-dd'T'HH:mm:ss.fffffff'Z'", CultureInfo.InvariantCulture);
    var conferences = (count + 199) / 200;
    for (var c = 1; c <= conferences; c++)
        await db.ExecuteAsync("INSERT INTO conference (id, name, place, starts_on, ends_on, created_at) VALUES (@c, @name, 'Harrogate', @d, @d, @now)",
            new { c, name = $"Annual Conference {1980 + c}", d = $"{1980 + c}-04-10", now }, tx);
    await using var cmd = db.CreateCommand();
    cmd.Transaction = tx;
    cmd.CommandText = """
        INSERT INTO motion (conference_id, number, title, original_text, text, proposer_kind, proposer_name, topic, needs_two_thirds, status, created_at, updated_at)
        VALUES (@c, @n, @title, @text, @text, 'branch', @branch, @topic, @f, 'submitted', @now, @now)
        """;
    DbParameter P(string name) { var p = cmd.CreateParameter(); p.ParameterName = name; cmd.Parameters.Add(p); return p; }
    var (pc, pn, ptitle, ptext, pbranch, ptopic, pf, pnow) = (P("c"), P("n"), P("title"), P("text"), P("branch"), P("topic"), P("f"), P("now"));
    pnow.Value = now;
    pf.Value = false;
    for (var i = 0; i < count; i++)
    {
        var topic = Topics[rng.Next(Topics.Length)];
        // Motions are recorded conference by conference, as the platform is used.
        pc.Value = i / 200 + 1;
        pn.Value = i % 200 + 1;
        ptitle.Value = $"{topic.Title} ({Places[rng.Next(Places.Length)]})";
        ptext.Value = MotionText(rng, topic);
        pbranch.Value = Places[rng.Next(Places.Length)];
        ptopic.Value = topic.Title;
        await cmd.ExecuteNonQueryAsync();
    }
    await tx.CommitAsync();
    // A running database has its planner statistics and its visibility map (autovacuum analyses a table within a
    // minute of a bulk change, and vacuums an insert-only table such as motion_term after its inserts): without them
    // PostgreSQL guesses 0.5% of motions match any word, and an index-only scan of the posting lists visits the heap.
    if (engine == "postgres")
        foreach (var sql in (string[])["VACUUM (ANALYZE) motion", "VACUUM (ANALYZE) motion_search", "VACUUM (ANALYZE) motion_term"])
            await db.ExecuteAsync(sql);
}

static string MotionText(Random rng, (string Title, string[] Phrases) topic)
{
    string Pick(string[] a) => a[rng.Next(a.Length)];
    var other = Topics[rng.Next(Topics.Length)];
    var terms = new[] { "in the Summer Term", "in the autumn term", "in the spring term", "by the end of the year", "before the next conference" };
    var year = 1981 + rng.Next(40);
    return $"""
        Conference notes {Pick(topic.Phrases)} and {Pick(other.Phrases)}.

        Conference believes that {Pick(topic.Phrases)} is part and parcel of the Government's plans, and that {Pick(Common)} will {Pick(Effects)} unless {Pick(topic.Phrases)} is opposed by every {Pick(People)}.

        Conference further believes that {Pick(Common)} and {Pick(other.Phrases)} {Pick(Effects)}, and that {Pick(People)}s must be told why.

        Conference therefore instructs the Executive to:

          1. Write to every member {Pick(terms)} {year} explaining why the Union opposes {Pick(topic.Phrases)}.
          2. {Pick(Actions)} {Pick(terms)} {year} against {Pick(topic.Phrases)}.
          3. Produce materials for {Pick(People)}s, governors and other trade unionists on {Pick(other.Phrases)}.
        """;
}

// Other benchmarks run on this machine too: take a port nobody holds rather than a fixed one.
static int FreePort()
{
    var l = new System.Net.Sockets.TcpListener(System.Net.IPAddress.Loopback, 0);
    l.Start();
    var port = ((System.Net.IPEndPoint)l.LocalEndpoint).Port;
    l.Stop();
    return port;
}

static double Pct(List<double> sorted, double p) => sorted[Math.Clamp((int)Math.Ceiling(p / 100 * sorted.Count) - 1, 0, sorted.Count - 1)];

static double Median(List<double> v) { var s = v.Order().ToList(); return s.Count % 2 == 1 ? s[s.Count / 2] : (s[s.Count / 2 - 1] + s[s.Count / 2]) / 2; }

Process Start(string dll, string conn, int port)
{
    var psi = new ProcessStartInfo("dotnet", [dll]) { RedirectStandardOutput = true, RedirectStandardError = true };
    psi.Environment["Database__ConnectionString"] = conn;
    psi.Environment["Ballots__CredentialKey"] = "AQIDBAUGBwgJCgsMDQ4PEBESExQVFhcYGRobHB0eHyA=";   // required on PostgreSQL; a bench-only key
    psi.Environment["Ballots__CertificationKeyFile"] = Path.Combine(Path.GetTempPath(), "ballot-bench-certification.key");   // the API requires it on PostgreSQL
    psi.Environment["Urls"] = $"http://127.0.0.1:{port}";
    psi.Environment["Logging__LogLevel__Default"] = "Warning";
    var p = Process.Start(psi)!;
    p.OutputDataReceived += (_, _) => { };
    p.ErrorDataReceived += (_, _) => { };
    p.BeginOutputReadLine();
    p.BeginErrorReadLine();
    return p;
}

async Task<string> Run(string file, string[] args, string conn)
{
    var psi = new ProcessStartInfo(file, args) { RedirectStandardOutput = true, RedirectStandardError = true };
    psi.Environment["Database__ConnectionString"] = conn;
    psi.Environment["Ballots__CredentialKey"] = "AQIDBAUGBwgJCgsMDQ4PEBESExQVFhcYGRobHB0eHyA=";   // required on PostgreSQL; a bench-only key
    using var p = Process.Start(psi)!;
    var output = await p.StandardOutput.ReadToEndAsync();
    await p.WaitForExitAsync();
    if (p.ExitCode != 0) throw new InvalidOperationException($"{file} {string.Join(' ', args)}: {await p.StandardError.ReadToEndAsync()}");
    return output;
}

async Task Pg(string sql)
{
    await using var c = new NpgsqlConnection(pgAdmin);
    await c.OpenAsync();
    await using var cmd = new NpgsqlCommand(sql, c);
    await cmd.ExecuteNonQueryAsync();
}

int Arg(string name, int fallback) => int.Parse(ArgS(name, fallback.ToString(CultureInfo.InvariantCulture)), CultureInfo.InvariantCulture);

string ArgS(string name, string fallback)
{
    var i = Array.IndexOf(args, name);
    return i >= 0 && i + 1 < args.Length ? args[i + 1] : fallback;
}

static string FindRoot()
{
    for (var d = new DirectoryInfo(AppContext.BaseDirectory); d is not null; d = d.Parent)
        if (File.Exists(Path.Combine(d.FullName, "Ballot.sln"))) return d.FullName;
    throw new InvalidOperationException("Run from inside the repository.");
}

partial class Program
{
    static readonly (string Title, string[] Phrases)[] Topics =
    [
        ("Performance Management", ["Performance Related Pay", "performance management reviews", "the threshold assessment", "performance-related decisions about pay", "appraisal regulations"]),
        ("Workload", ["teacher workload", "unpaid overtime", "non-contact time", "marking and planning", "cover for absent colleagues"]),
        ("Class sizes", ["class sizes in primary schools", "classes of over thirty", "mixed-age classes", "the loss of teaching assistants"]),
        ("Academies", ["academies and free schools", "academy chains", "the funding of academies", "forced academisation"]),
        ("Testing", ["national curriculum tests", "SATs in year six", "league tables", "baseline assessment of four year olds"]),
        ("Inspection", ["Ofsted inspection", "no-notice inspections", "one-word judgements", "mocksteds"]),
        ("Pensions", ["the Teachers' Pension Scheme", "raising the pension age", "pension contributions", "supply teachers' pensions"]),
        ("Funding", ["school funding", "cuts to budgets", "the funding formula", "capital spending on buildings"]),
        ("Supply teachers", ["supply teachers", "agency pay rates", "umbrella companies", "supply teachers' conditions"]),
        ("Equality", ["the gender pay gap", "maternity rights", "racism in schools", "disabled teachers' rights"]),
    ];

    static readonly string[] Common = ["the Government", "the employers", "the DfEE", "local authorities", "head teachers", "governing bodies"];
    static readonly string[] Effects = ["undermine staff relations", "increase workload", "drive teachers out of the profession", "damage education", "create an atmosphere of distrust"];
    static readonly string[] People = ["member", "parent", "teacher", "school rep", "governor", "trade unionist"];
    static readonly string[] Actions = ["Conduct a national ballot of members", "Organise a lobby of Parliament", "Hold regional rallies", "Campaign with parents", "Ballot for a boycott"];
    static readonly string[] Places = ["Leeds", "Camden", "Sheffield", "Kirklees", "Bristol", "Cardiff", "Newcastle", "Norfolk", "Lambeth", "Manchester"];
}
