// Ballot benchmarks, as a user would meet them:
//   1. opening a ballot of N electors through POST /api/ballots/{id}/open on the real API process (freeze, credentials,
//      letters queued);
//   2. casting votes over HTTP with wrk (64 connections, distinct credentials, each 201 only after a durable commit),
//      beside the ceiling measured with the same tool against POST /api/ping of the same process in the same run;
//   3. counting M sealed votes: closing a ballot with M papers (adding the ciphertexts per constituency, question and
//      option), then two of three trustees decrypting the sums (their partials checked, combined, solved, the result).
// Every ballot has its key from a 2-of-3 ceremony run in this process first (trustees as TestTrustees runs them).
// Usage: dotnet run -c Release --project bench/Ballot.Bench.Ballots -- [--engine sqlite|postgres] [--electors 450000]
//        [--count-votes 1000000] [--duration 10] [--connections 64] [--runs 1] [--warmup 3 (seconds of votes before measuring)]
//        [--slots 30000 (sealing slots per question in each API, ADR 0905; 0 seals directly)] [--fill 150 (at most this many seconds for each wait until they are full: before the warm-up, and again after it)]
using System.Diagnostics;
using System.Net.Http.Headers;
using System.Text;
using System.Text.RegularExpressions;
using Ballot.Core;
using Ballot.Core.Ballots;
using Ballot.Core.Data;
using Ballot.Core.Staff;
using Dapper;
using MediatR;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Npgsql;
using Ballot.Core.Ballots.Voting;
using Ballot.Core.Sealing;

var engine = ArgS("--engine", "sqlite");
var electors = Arg("--electors", 450_000);
var countVotes = Arg("--count-votes", 1_000_000);
var duration = Arg("--duration", 10);
var connections = Arg("--connections", 64);
var runs = Arg("--runs", 1);
var only = ArgS("--only", "all");
var warmup = Arg("--warmup", 3);
var slots = Arg("--slots", 30000);
var fill = Arg("--fill", 150);
// The whole system (issue 15): this many API processes on the same database, each on its own port, loaded at once.
var apis = Arg("--apis", 1);
var pgAdmin = Environment.GetEnvironmentVariable("BALLOT_TEST_PG") ?? "Host=127.0.0.1;Port=5432;Username=ballot;Password=ballot;Database=postgres";
var root = FindRoot();
var apiDll = Path.Combine(root, "Ballot.Api/bin/Release/net10.0/Ballot.Api.dll");
if (!File.Exists(apiDll)) { Console.Error.WriteLine($"Build first: dotnet build -c Release Ballot.sln ({apiDll} missing)"); return 1; }
var work = Path.Combine(Path.GetTempPath(), "ballot-bench-ballots");
Directory.CreateDirectory(work);
Console.WriteLine($"engine={engine} electors={electors} countVotes={countVotes} wrk: {connections} connections, {duration} s; cores={Environment.ProcessorCount}");

if (only == "micro")
{
    // Per-vote costs in process, one at a time, over an existing vote database: --db <folder of a vote run>.
    var folder = ArgS("--db", Path.Combine(work, "vote1"));
    using var h = Host($"Data Source={Path.Combine(folder, "ballot.db")}", Path.Combine(folder, "ballot-credentials.key"));
    var lookup = h.Services.GetRequiredService<ElectorLookup>();
    var creds = File.ReadLines(Path.Combine(folder, "credentials.txt")).Take(20_000).ToList();
    for (var pass = 0; pass < 2; pass++)
    {
        var sw = Stopwatch.StartNew();
        foreach (var c in creds) await lookup.FindAsync(c, default);
        Console.WriteLine($"lookup: {sw.Elapsed.TotalMicroseconds / creds.Count:0.0} us each");
        sw.Restart();
        var qs = new List<Question> { new("boycott", "B", ["Yes", "No"]), new("timing", "T", ["Autumn term", "Spring term", "Not at all"]) };
        var a = new Dictionary<string, string?> { ["boycott"] = "Yes", ["timing"] = "Autumn term" };
        var key = await h.Services.GetRequiredService<BallotSealer>().KeyAsync(1);
        for (var i = 0; i < 1000; i++) BallotSealer.Seal(key, 1, qs, a);
        Console.WriteLine($"sealing a paper (2 questions, 3 + 4 options): {sw.Elapsed.TotalMicroseconds / 1000:0.0} us each");
    }
    // The in-memory elector index: load time and managed memory for this electorate.
    var index = h.Services.GetRequiredService<ElectorIndex>();
    var before = GC.GetTotalMemory(forceFullCollection: true);
    var li = Stopwatch.StartNew();
    await index.LoadOpenBallotsAsync(default);
    await index.WhenLoaded(1);
    Console.WriteLine($"elector index: ballot 1 loaded in {li.Elapsed.TotalMilliseconds:0} ms, {(GC.GetTotalMemory(forceFullCollection: true) - before) / 1048576.0:0.0} MB managed");
    // The group-commit writer alone: 64 concurrent submitters, credentials not yet used.
    var writer = h.Services.GetRequiredService<VoteWriter>();
    var fresh = File.ReadLines(Path.Combine(folder, "credentials.txt")).Skip(Arg("--skip", 400_000)).Take(Arg("--take", 20_000)).ToList();
    Random.Shared.Shuffle(System.Runtime.InteropServices.CollectionsMarshal.AsSpan(fresh));
    var states = new List<ElectorState>();
    foreach (var c in fresh) if (await lookup.FindAsync(c, default) is { Voted: 0 } st) states.Add(st);
    var queue = new System.Collections.Concurrent.ConcurrentQueue<ElectorState>(states);
    var sealer = h.Services.GetRequiredService<BallotSealer>();
    var qs2 = new List<Question> { new("boycott", "B", ["Yes", "No"]), new("timing", "T", ["Autumn term", "Spring term", "Not at all"]) };
    var sealedVotes = new System.Collections.Concurrent.ConcurrentQueue<(ElectorState, SealedVote)>();
    foreach (var st in states) sealedVotes.Enqueue((st, await sealer.SealAsync(st.BallotId, qs2, new Dictionary<string, string?> { ["boycott"] = "Yes" })));
    var w = Stopwatch.StartNew();
    await Task.WhenAll(Enumerable.Range(0, 64).Select(async _ =>
    {
        while (sealedVotes.TryDequeue(out var v))
            await writer.SubmitAsync(new Vote(v.Item1.BallotId, v.Item1.MemberId, v.Item1.CredentialHash, v.Item1.Constituency, v.Item2));
    }));
    Console.WriteLine($"writer alone: {states.Count / w.Elapsed.TotalSeconds:0} votes/s over {states.Count} votes in {w.Elapsed.TotalMilliseconds:0} ms");
    return 0;
}

for (var run = 1; run <= runs; run++)
{
    if (only is "all" or "vote" or "open") await OpenAndVote(run);
    if (only is "all" or "count") await Count(run);
}
return 0;

async Task OpenAndVote(int run)
{
    var (conn, dir, drop) = await FreshDatabase($"vote{run}");
    var keyFile = Path.Combine(dir, "ballot-credentials.key");
    using var host = Host(conn, keyFile);
    var mediator = host.Services.GetRequiredService<IMediator>();
    var t = Stopwatch.StartNew();
    await SeedMembers(host.Services.GetRequiredService<Db>(), electors);
    Console.WriteLine($"seeded {electors} members in {t.Elapsed.TotalSeconds:0.0} s");
    var token = (await mediator.Send(new CreateToken.Command(Roles.Executive, "Bench"))).Token;
    var now = DateTimeOffset.UtcNow;
    var ballot = await mediator.Send(new CreateBallot.Command(Input(now, now.AddDays(1)), "bench"));
    await BenchCeremony.RunAsync(mediator, ballot.Id);

    var ports = Enumerable.Range(0, apis).Select(a => 5950 + run + 20 * a).ToArray();
    var processes = ports.Select(p => StartApi(conn, p, keyFile)).ToArray();
    var api = processes[0];
    try
    {
        using var http = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{ports[0]}"), Timeout = TimeSpan.FromMinutes(5) };
        foreach (var p in ports) await Ready(new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{p}") });
        http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", token);
        t.Restart();
        var opened = await http.PostAsync($"/api/ballots/{ballot.Id}/open", null);
        var openMs = t.Elapsed.TotalMilliseconds;
        var openBody = await opened.Content.ReadAsStringAsync();
        if (!opened.IsSuccessStatusCode) throw new Exception($"open failed: {openBody}");
        Console.WriteLine($"RESULT open {electors} electors: {openMs / 1000:0.00} s  ({openBody})");
        if (only == "open")
        {
            // The ceiling, in the same run: the same number of elector-sized rows by bare binary COPY into a table
            // without index, key or trigger, over one connection: what writing this much costs the server now.
            if (engine == "postgres")
            {
                await using var pg = new NpgsqlConnection(conn);
                await pg.OpenAsync();
                await pg.ExecuteAsync("CREATE TEMP TABLE ceiling (ballot_id bigint, member_id bigint, constituency text, credential_hash text, email text)");
                var hash = new string('a', 64);
                var c = Stopwatch.StartNew();
                await using (var copy = await pg.BeginBinaryImportAsync("COPY ceiling FROM STDIN (FORMAT BINARY)"))
                {
                    for (var i = 1; i <= electors; i++)
                    {
                        copy.StartRow();
                        copy.Write(1L, NpgsqlTypes.NpgsqlDbType.Bigint);
                        copy.Write((long)i, NpgsqlTypes.NpgsqlDbType.Bigint);
                        copy.Write("all", NpgsqlTypes.NpgsqlDbType.Text);
                        copy.Write(hash, NpgsqlTypes.NpgsqlDbType.Text);
                        copy.Write($"member{i}@example.org", NpgsqlTypes.NpgsqlDbType.Text);
                    }
                    await copy.CompleteAsync();
                }
                Console.WriteLine($"RESULT ceiling bare COPY of {electors} elector rows: {c.Elapsed.TotalSeconds:0.00} s; open / ceiling {openMs / c.Elapsed.TotalMilliseconds:0.0}");
            }
            return;
        }

        var credentials = host.Services.GetRequiredService<Credentials>();
        var credFile = Path.Combine(dir, "credentials.txt");
        var warmFile = Path.Combine(dir, "credentials-warmup.txt");
        await using (var conn2 = await host.Services.GetRequiredService<Db>().OpenAsync())
        await using (var w = new StreamWriter(credFile))
        {
        {
            // Members vote in no particular order: shuffled, so each vote's claim lands on a random page of the electorate.
            var members = (await conn2.QueryAsync<long>("SELECT member_id FROM ballot_elector WHERE ballot_id = @id", new { id = ballot.Id })).ToArray();
            new Random(run).Shuffle(members);
            // The last quarter of them warm the server up (see below); the benchmark's votes come from the rest.
            var measured = members.Length - members.Length / 4;
            await using var warm = new StreamWriter(warmFile);
            var ballotCredentials = credentials.ForBallot(ballot.Id);   // with the salt the ballot stored when it opened
            for (var i = 0; i < members.Length; i++) await (i < measured ? w : warm).WriteLineAsync(ballotCredentials.For(members[i]));
        }
        }
        var baseUrl = $"http://127.0.0.1:{ports[0]}";
        // Each API's sealing slots (ADR 0905) start with the ballot's first voting page, here one page per API, and
        // fill in the background as they would between a ballot's opening and its busiest hour. The warm-up's votes
        // are then sealed from stock like the measured ones, and the stock is full again before the measurement
        // (GET /api/ballots/{id}/sealing-stock on every API), so no filler takes the CPU from the votes. --fill is the
        // most each wait lasts.
        var staff = ports.Select(p => new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{p}") }).ToArray();
        foreach (var s in staff) s.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", token);
        async Task<System.Text.Json.JsonElement[]> Stock() => await Task.WhenAll(staff.Select(async s =>
            System.Text.Json.JsonDocument.Parse(await s.GetStringAsync($"/api/ballots/{ballot.Id}/sealing-stock")).RootElement));
        static string Pools(System.Text.Json.JsonElement stock) => string.Join(", ", stock.GetProperty("pools").EnumerateArray().Select(p =>
            $"{p.GetProperty("options").GetInt32()} options: {p.GetProperty("ready").GetInt32()} of {p.GetProperty("capacity").GetInt32()} ready, " +
            $"{p.GetProperty("sealedFromStock").GetInt64()} from stock, {p.GetProperty("sealedDirectly").GetInt64()} directly"));
        async Task FillStock(string when)
        {
            if (slots == 0 || fill == 0) return;
            Console.WriteLine($"waiting for {slots} sealing slots per question to fill {when} (at most {fill} s)");
            var filling = Stopwatch.StartNew();
            while (filling.Elapsed.TotalSeconds < fill && !(await Stock()).All(s => s.GetProperty("full").GetBoolean()))
                await Task.Delay(TimeSpan.FromSeconds(2));
            var stock = await Stock();
            Console.WriteLine($"RESULT sealing stock {when}: {(stock.All(s => s.GetProperty("full").GetBoolean()) ? "full" : "NOT full")} after {filling.Elapsed.TotalSeconds:0} s: " +
                              string.Join(" | ", stock.Select(Pools)));
        }
        if (slots > 0)
        {
            var page = File.ReadLines(warmFile).First();
            foreach (var s in staff) (await s.GetAsync($"/vote/{page}")).EnsureSuccessStatusCode();
            await FillStock("before the warm-up");
        }
        // A server in use has compiled its hot paths long since: a few seconds of votes first, with credentials of
        // their own, so the measured run does not pay for the runtime's tiered recompilation of the vote path.
        if (warmup > 0)
            await WrkEach(api => ["-s", Path.Combine(root, "bench/Ballot.Bench.Ballots/votes.lua"), $"http://127.0.0.1:{ports[api]}", "--", Split(warmFile, api), $"{VoteThreads()}"],
                $"-d{warmup}s", quiet: true, threads: VoteThreads());
        await FillStock("after the warm-up");
        var cpu0 = Cpu();
        var pingChildren0 = ChildrenCpu();
        var ping = await WrkEach(api => ["--latency", "-s", Path.Combine(root, "bench/Ballot.Bench.Ballots/ping.lua"), $"http://127.0.0.1:{ports[api]}"], $"-d{duration}s");
        var cpu1 = Cpu();
        var pingChildren1 = ChildrenCpu();
        var before = await Papers();
        var machine1 = MachineCpu();
        var (pg1, children1) = (NamedCpu("postgres"), ChildrenCpu());
        var votes = await WrkEach(api => ["--latency", "-s", Path.Combine(root, "bench/Ballot.Bench.Ballots/votes.lua"), $"http://127.0.0.1:{ports[api]}", "--", Split(credFile, api), $"{VoteThreads()}"],
            $"-d{duration}s", threads: VoteThreads());
        var cpu2 = Cpu();
        var machine2 = MachineCpu();
        var (pg2, children2) = (NamedCpu("postgres"), ChildrenCpu());
        var wrkCpu = children2 - children1;
        TimeSpan Cpu() => processes.Aggregate(TimeSpan.Zero, (sum, p) => { p.Refresh(); return sum + p.TotalProcessorTime; });
        var recorded = await Papers() - before;
        async Task<long> Papers()
        {
            await using var c = await host.Services.GetRequiredService<Db>().OpenAsync();
            return await c.ExecuteScalarAsync<long>("SELECT COUNT(*) FROM ballot_paper WHERE ballot_id = @id", new { id = ballot.Id });
        }
        Console.WriteLine($"RESULT ceiling POST /api/ping: {ping.Rps:0} req/s, p50 {ping.P50}, p99 {ping.P99}");
        Console.WriteLine($"RESULT votes POST /api/votes: {votes.Rps:0} votes/s, p50 {votes.P50}, p99 {votes.P99}, non-201 {votes.Non2xx}, " +
                          $"requests {votes.Requests}, papers recorded {recorded}; ratio to ceiling {votes.Rps / ping.Rps:0.00}");
        // CPU the API process spent per answer (all its threads, user and kernel): steadier than throughput from run to run.
        Console.WriteLine($"RESULT api cpu per request: ping {(cpu1 - cpu0).TotalMicroseconds / ping.Requests:0.0} us, vote {(cpu2 - cpu1).TotalMicroseconds / votes.Requests:0.0} us");
        // The whole machine during the votes (every process: the APIs, PostgreSQL, wrk): whether CPU or waiting bounds them.
        var busy = machine2.Busy - machine1.Busy;
        var all = busy + machine2.Idle - machine1.Idle;
        var seconds = all / (double)Environment.ProcessorCount / 100;
        Console.WriteLine($"RESULT machine during votes: {busy / 100.0 / seconds:0.00} of {Environment.ProcessorCount} cores busy; api {(cpu2 - cpu1).TotalSeconds / seconds:0.00} cores, " +
                          $"postgres {(pg2 - pg1) / 100.0 / seconds:0.00} ({(pg2 - pg1) * 1e4 / votes.Requests:0} us a vote), wrk (its whole run) {wrkCpu / 100.0 / seconds:0.00}");
        Console.WriteLine($"RESULT wrk cpu per request: ping {(pingChildren1 - pingChildren0) * 1e4 / ping.Requests:0.0} us, vote {wrkCpu * 1e4 / votes.Requests:0.0} us");
        // A pool that fell to a quarter of its capacity during the votes was being refilled while they were measured.
        if (slots > 0) Console.WriteLine($"RESULT sealing stock after the votes: {string.Join(" | ", (await Stock()).Select(Pools))}");
    }
    finally
    {
        foreach (var p in processes)
        {
            p.Kill(entireProcessTree: true);
            await p.WaitForExitAsync();
        }
        await drop();
    }
}

// Jiffies from /proc/stat's first line: busy (user, nice, system, irq, softirq, steal) and idle (idle, iowait).
static (long Busy, long Idle) MachineCpu()
{
    var f = File.ReadLines("/proc/stat").First().Split(' ', StringSplitOptions.RemoveEmptyEntries).Skip(1).Select(long.Parse).ToArray();
    return (f[0] + f[1] + f[2] + f[5] + f[6] + f[7], f[3] + f[4]);
}

// Jiffies (user and system) of every process with this name, from /proc.
static long NamedCpu(string name)
{
    long named = 0;
    foreach (var dir in Directory.EnumerateDirectories("/proc"))
    {
        if (!char.IsDigit(Path.GetFileName(dir)[0])) continue;
        string stat;
        try { stat = File.ReadAllText(Path.Combine(dir, "stat")); } catch (IOException) { continue; } catch (UnauthorizedAccessException) { continue; }
        if (stat[(stat.IndexOf('(') + 1)..stat.LastIndexOf(')')] != name) continue;
        var f = StatFields(stat);
        named += long.Parse(f[11]) + long.Parse(f[12]);
    }
    return named;
}

// Jiffies of this process's children that have exited and been waited for (each wrk run).
static long ChildrenCpu()
{
    var f = StatFields(File.ReadAllText("/proc/self/stat"));
    return long.Parse(f[13]) + long.Parse(f[14]);
}

// The fields of a /proc/<pid>/stat line after the command name (which may hold spaces), state first.
static string[] StatFields(string stat) => stat[(stat.LastIndexOf(')') + 2)..].Split(' ');

int WrkThreads() => Math.Max(1, 2 / apis);

// The votes' wrk runs one thread per API. wrk starts each thread as soon as that thread's init has run, and starts its
// clock only after the last one's: a second thread's init (reading its credentials and making its requests) would give
// the first a head start of votes counted against a shorter time. One thread reads its file before the clock starts,
// and drives 64 connections at these rates with under a fifth of a core.
int VoteThreads() => 1;

// With several APIs, each gets every apis-th credential of the file, in a file of its own.
string Split(string file, int api)
{
    if (apis == 1) return file;
    var part = $"{file}.{api}";
    File.WriteAllLines(part, File.ReadLines(file).Where((_, i) => i % apis == api));
    return part;
}

// One wrk per API, all at once, the connections shared out between them; rates and requests add up, latencies are the slowest API's.
async Task<WrkResult> WrkEach(Func<int, string[]> argv, string time, bool quiet = false, int? threads = null)
{
    var runs = Enumerable.Range(0, apis).Select(a => Wrk([$"-t{threads ?? WrkThreads()}", $"-c{connections / apis}", time, .. argv(a)], quiet || apis > 1)).ToArray();
    var results = await Task.WhenAll(runs);
    if (apis > 1 && !quiet)
        foreach (var (r, a) in results.Select((r, a) => (r, a))) Console.WriteLine($"  api {a + 1}: {r.Rps:0} req/s, p50 {r.P50}, p99 {r.P99}, requests {r.Requests}, non-2xx {r.Non2xx}");
    return new WrkResult(results.Sum(r => r.Rps), string.Join(" / ", results.Select(r => r.P50)), string.Join(" / ", results.Select(r => r.P99)), results.Sum(r => r.Non2xx), results.Sum(r => r.Requests));
}

async Task Count(int run)
{
    var (conn, dir, drop) = await FreshDatabase($"count{run}");
    using var host = Host(conn, Path.Combine(dir, "ballot-credentials.key"));
    var mediator = host.Services.GetRequiredService<IMediator>();
    var db = host.Services.GetRequiredService<Db>();
    await SeedMembers(db, countVotes);
    var now = DateTimeOffset.UtcNow;
    var ballot = await mediator.Send(new CreateBallot.Command(Input(now, now.AddDays(1)) with { Counting = Counting.PerWorkplace }, "bench"));
    var trustees = await BenchCeremony.RunAsync(mediator, ballot.Id);
    var t = Stopwatch.StartNew();
    await mediator.Send(new OpenBallot.Command(ballot.Id, "bench"));
    Console.WriteLine($"RESULT open {countVotes} electors (in process): {t.Elapsed.TotalSeconds:0.00} s");
    t.Restart();
    await FillPapers(db, ballot.Id, await host.Services.GetRequiredService<BallotSealer>().KeyAsync(ballot.Id));
    Console.WriteLine($"filled {countVotes} sealed papers in {t.Elapsed.TotalSeconds:0.0} s");
    // Close at the closing time: move it back, as the worker would find it.
    await using (var c = await db.OpenAsync())
        await c.ExecuteAsync("UPDATE ballot SET closes_at = @past WHERE id = @id", new { past = DateTimeOffset.UtcNow.AddSeconds(-1), id = ballot.Id });
    t.Restart();
    await mediator.Send(new CloseBallot.Command(ballot.Id, "bench"));
    Console.WriteLine($"RESULT close and sum {countVotes} sealed votes (status, sums per constituency, question and option, audit, one transaction): {t.Elapsed.TotalSeconds:0.000} s");
    // Two trustees decrypt the sums on "their machines" (here), then the server checks, combines, solves and counts.
    var board = await Ballot.Core.Ballots.Count.PaperSums.LoadAsync(await db.OpenAsync(), null, ballot.Id);
    var flat = Ballot.Core.Ballots.Count.PaperSums.Flatten(board.Select(b => b.Sum));
    t.Restart();
    var partials = trustees.Take(2).Select(tr => tr.Decrypt(SealingContext.ForBallot(ballot.Id), flat)).ToList();
    Console.WriteLine($"RESULT two trustees' decryption shares of {flat.Count} option sums, one batched proof each (their machines' work): {t.Elapsed.TotalSeconds:0.000} s");
    t.Restart();
    foreach (var p in partials) await mediator.Send(new SubmitDecryption.Command(ballot.Id, p, BenchCeremony.ActorOf(ballot.Id, p.Trustee)));
    Console.WriteLine($"RESULT server: check both trustees' batched proofs, combine, solve, result ({flat.Count} option sums): {t.Elapsed.TotalSeconds:0.000} s");
    await drop();
}

// A 2-of-3 ceremony run in this process, its key installed as the ceremony endpoints would leave it.
BallotInput Input(DateTimeOffset opens, DateTimeOffset closes) => new("Bench ballot", BallotKind.Consultative, Counting.Aggregated, opens, closes,
    new Electorate(), [], null,
    [new QuestionInput("boycott", "Boycott?", ["Yes", "No"]), new QuestionInput("timing", "When?", ["Autumn term", "Spring term", "Not at all"])]);

async Task<(string Conn, string Dir, Func<Task> Drop)> FreshDatabase(string name)
{
    var dir = Path.Combine(work, name);
    if (Directory.Exists(dir)) Directory.Delete(dir, true);
    Directory.CreateDirectory(dir);
    if (engine != "postgres") return ($"Data Source={Path.Combine(dir, "ballot.db")}", dir, () => Task.CompletedTask);
    var db = $"ballot_bench_{name}_{Environment.ProcessId}";
    await Pg($"CREATE DATABASE {db}");
    return (new NpgsqlConnectionStringBuilder(pgAdmin) { Database = db }.ConnectionString, dir, async () =>
    {
        NpgsqlConnection.ClearAllPools();
        await Pg($"DROP DATABASE {db} WITH (FORCE)");
    });
}

IHost Host(string conn, string keyFile)
{
    var b = Microsoft.Extensions.Hosting.Host.CreateApplicationBuilder();
    b.Configuration.AddInMemoryCollection(new Dictionary<string, string?>
    {
        ["Database:ConnectionString"] = conn, ["Ballots:CredentialKeyFile"] = keyFile,
    });
    b.Logging.ClearProviders();
    b.AddBallotCore();
    var h = b.Build();
    h.Services.GetRequiredService<Migrator>().Migrate();
    return h;
}

static async Task SeedMembers(Db db, int n)
{
    await using var conn = await db.OpenAsync();
    await using var tx = await db.BeginWriteAsync(conn);
    var now = DateTimeOffset.UtcNow;
    var schools = Enumerable.Range(0, 25_000).Select(s => new { name = $"School {s}", employer = $"Employer {s % 150}", region = $"Region {s % 10}" });
    await conn.ExecuteAsync("INSERT INTO workplace (name, employer, region) VALUES (@name, @employer, @region)", schools, tx);
    var ids = (await conn.QueryAsync<long>("SELECT id FROM workplace ORDER BY id", transaction: tx)).ToArray();
    if (conn is NpgsqlConnection pg)
    {
        await using var copy = await pg.BeginBinaryImportAsync(
            "COPY member (membership_number, first_name, last_name, email, workplace_id, category, status, created_at, updated_at) FROM STDIN (FORMAT BINARY)");
        for (var i = 1; i <= n; i++)
        {
            await copy.WriteRowAsync(default, $"M{i:D7}", $"First{i}", $"Last{i}", $"member{i}@example.org", ids[i % ids.Length], "teacher", "active", now, now);
        }
        await copy.CompleteAsync();
    }
    else
    {
        await using var cmd = conn.CreateCommand();
        cmd.Transaction = tx;
        cmd.CommandText = "INSERT INTO member (membership_number, first_name, last_name, email, workplace_id, category, status, created_at, updated_at) VALUES ($n, $f, $l, $e, $w, 'teacher', 'active', $t, $t)";
        var pn = cmd.AddParameter("$n"); var pf = cmd.AddParameter("$f"); var pl = cmd.AddParameter("$l"); var pe = cmd.AddParameter("$e"); var pw = cmd.AddParameter("$w"); var pt = cmd.AddParameter("$t");
        pt.Value = DapperSetup.ToSqliteText(now);
        for (var i = 1; i <= n; i++)
        {
            pn.Value = $"M{i:D7}"; pf.Value = $"First{i}"; pl.Value = $"Last{i}"; pe.Value = $"member{i}@example.org"; pw.Value = ids[i % ids.Length];
            await cmd.ExecuteNonQueryAsync();
        }
    }
    await tx.CommitAsync();
}

// Sealing a million papers for real would take hours on two cores: 2,000 real sealed papers, each stored under many
// random trackers (the tracker is only the row's key here). Every stored ciphertext is a real one, so decoding and adding
// cost what they would; the totals come out as the pool's choices dictate.
static async Task FillPapers(Db db, long ballotId, BallotKey key)
{
    var qs = new List<Question> { new("boycott", "B", ["Yes", "No"]), new("timing", "T", ["Autumn term", "Spring term", "Not at all"]) };
    string[] yes = ["Yes", "No", "Yes", "spoiled"], timing = ["Autumn term", "Not at all", "Spring term", "spoiled"];
    var pool = new SealedVote[2000];
    Parallel.For(0, pool.Length, i => pool[i] = BallotSealer.Seal(key, ballotId, qs, new Dictionary<string, string?> { ["boycott"] = yes[i % 4], ["timing"] = timing[i % 4] }));
    await using var conn = await db.OpenAsync();
    await using var tx = await db.BeginWriteAsync(conn);
    await conn.ExecuteAsync("UPDATE ballot_elector SET voted = 1 WHERE ballot_id = @ballotId", new { ballotId }, tx);
    var constituencies = (await conn.QueryAsync<string>("SELECT constituency FROM ballot_elector WHERE ballot_id = @ballotId", new { ballotId }, tx)).ToList();
    var rnd = new Random(1);
    string Tracker() => Convert.ToHexStringLower(System.Security.Cryptography.RandomNumberGenerator.GetBytes(32));
    if (conn is NpgsqlConnection pg)
    {
        await using var copy = await pg.BeginBinaryImportAsync("COPY ballot_paper (ballot_id, tracker, constituency, sealed) FROM STDIN (FORMAT BINARY)");
        foreach (var c in constituencies) await copy.WriteRowAsync(default, ballotId, Tracker(), c, pool[rnd.Next(pool.Length)].Sealed);
        await copy.CompleteAsync();
    }
    else
    {
        await using var cmd = conn.CreateCommand();
        cmd.Transaction = tx;
        cmd.CommandText = "INSERT INTO ballot_paper (ballot_id, tracker, constituency, sealed) VALUES ($b, $t, $c, $s)";
        var pb = cmd.AddParameter("$b"); var pt = cmd.AddParameter("$t"); var pc = cmd.AddParameter("$c"); var ps = cmd.AddParameter("$s");
        pb.Value = ballotId;
        foreach (var c in constituencies)
        {
            pt.Value = Tracker(); pc.Value = c; ps.Value = pool[rnd.Next(pool.Length)].Sealed;
            await cmd.ExecuteNonQueryAsync();
        }
    }
    await tx.CommitAsync();
}

Process StartApi(string conn, int port, string keyFile)
{
    var psi = new ProcessStartInfo("dotnet", [apiDll]) { RedirectStandardOutput = true, RedirectStandardError = true };
    psi.Environment["Database__ConnectionString"] = conn;
    psi.Environment["Urls"] = $"http://127.0.0.1:{port}";
    psi.Environment["Ballots__CredentialKeyFile"] = keyFile;
    psi.Environment["Ballots__CertificationKeyFile"] = keyFile + ".certification";   // the API requires it on PostgreSQL
    psi.Environment["Logging__LogLevel__Default"] = "Warning";
    psi.Environment["Ballots__SealingSlotsPerQuestion"] = slots.ToString(System.Globalization.CultureInfo.InvariantCulture);
    var p = Process.Start(psi)!;
    p.OutputDataReceived += (_, e) => { if (e.Data is not null && e.Data.Contains("\"Error\"")) Console.Error.WriteLine(e.Data); };
    p.ErrorDataReceived += (_, e) => { if (e.Data?.Contains("XSTATS") == true) Console.Error.WriteLine(e.Data); };
    p.BeginOutputReadLine();
    p.BeginErrorReadLine();
    return p;
}

static async Task Ready(HttpClient http)
{
    for (var i = 0; i < 600; i++)
    {
        try { if ((await http.GetAsync("/health")).IsSuccessStatusCode) return; } catch (HttpRequestException) { }
        await Task.Delay(50);
    }
    throw new TimeoutException("API did not start");
}

static async Task<WrkResult> Wrk(string[] argv, bool quiet = false)
{
    var psi = new ProcessStartInfo("wrk", argv) { RedirectStandardOutput = true };
    using var p = Process.Start(psi)!;
    var o = await p.StandardOutput.ReadToEndAsync();
    await p.WaitForExitAsync();
    if (!quiet) Console.WriteLine(o);
    string Find(string pattern) => Regex.Match(o, pattern, RegexOptions.Multiline).Groups[1].Value;
    var non2xx = Find(@"Non-2xx or 3xx responses: (\d+)");
    return new WrkResult(double.Parse(Find(@"Requests/sec:\s+([\d.]+)")), Find(@"^\s+50%\s+(\S+)"), Find(@"^\s+99%\s+(\S+)"),
        non2xx == "" ? 0 : long.Parse(non2xx), long.Parse(Find(@"(\d+) requests in")));
}

int Arg(string name, int def) { var i = Array.IndexOf(args, name); return i >= 0 ? int.Parse(args[i + 1]) : def; }
string ArgS(string name, string def) { var i = Array.IndexOf(args, name); return i >= 0 ? args[i + 1] : def; }

async Task Pg(string sql)
{
    await using var c = new NpgsqlConnection(pgAdmin);
    await c.OpenAsync();
    await using var cmd = new NpgsqlCommand(sql, c);
    await cmd.ExecuteNonQueryAsync();
}

static string FindRoot()
{
    var d = new DirectoryInfo(AppContext.BaseDirectory);
    while (d is not null && !File.Exists(Path.Combine(d.FullName, "Ballot.sln"))) d = d.Parent;
    return d?.FullName ?? throw new InvalidOperationException("run inside the repository");
}

internal sealed record WrkResult(double Rps, string P50, string P99, long Non2xx, long Requests);
