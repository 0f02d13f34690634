// Voting-paper benchmarks (issue 16), on SQLite:
//   1. print: N electors of a hybrid ballot, numbered by postcode and drawn as A4 PDFs of 1,000 papers with their QR
//      code and short code, by the worker's PrintRunner in this process (every core), beside the single-leaflet ceiling
//      (the two-page sample leaflet rendered on every core) measured in the same run; peak memory (VmHWM) and sizes.
//   2. entry: returned papers entered through POST /api/ballots/{id}/returned-papers of the real API process, in batches
//      of 1,000 with 4 concurrent clients, until --enter papers are in.
// Usage: dotnet build -c Release Ballot.sln && dotnet run -c Release --project bench/Ballot.Bench.Papers -- [--electors 450000] [--enter 100000] [--runs 3]
using System.Diagnostics;
using System.Net.Http.Headers;
using System.Text;
using Ballot.Core;
using Ballot.Core.Ballots;
using Ballot.Core.Ballots.Papers;
using Ballot.Core.Data;
using Ballot.Core.Leaflets;
using Ballot.Core.Leaflets.Composition;
using Ballot.Core.Staff;
using Dapper;
using MediatR;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

var electors = Arg("--electors", 450_000);
var enter = Arg("--enter", 100_000);
var runs = Arg("--runs", 1);
var root = FindRoot();
var apiDll = Path.Combine(root, "Ballot.Api/bin/Release/net10.0/Ballot.Api.dll");
if (!File.Exists(apiDll)) { Console.Error.WriteLine($"Build first: dotnet build -c Release Ballot.sln ({apiDll} missing)"); return 1; }
Console.WriteLine($"electors={electors} enter={enter} cores={Environment.ProcessorCount}");

for (var run = 1; run <= runs; run++)
{
    var dir = Path.Combine(Path.GetTempPath(), "ballot-bench-papers", $"run{run}");
    if (Directory.Exists(dir)) Directory.Delete(dir, true);
    Directory.CreateDirectory(dir);
    var conn = $"Data Source={Path.Combine(dir, "ballot.db")}";
    var keyFile = Path.Combine(dir, "ballot-credentials.key");
    using var host = Host(conn, keyFile, dir);
    var mediator = host.Services.GetRequiredService<IMediator>();
    var db = host.Services.GetRequiredService<Db>();
    await SeedMembers(db, electors);
    var now = DateTimeOffset.UtcNow;
    var input = new BallotInput("Indicative ballot on the pay arrangements", BallotKind.Consultative, Counting.Aggregated, now, now.AddDays(14),
        new Electorate(), [], null,
        [new QuestionInput("boycott", "Do you support a boycott of the performance-management arrangements?", ["Yes", "No"]),
         new QuestionInput("timing", "When should action start?", ["Autumn term", "Spring term", "Not at all"])], VotingMethod.Hybrid);
    var ballot = await mediator.Send(new CreateBallot.Command(input, "bench"));
    await BenchCeremony.RunAsync(mediator, ballot.Id);
    var ow = Stopwatch.StartNew();
    await mediator.Send(new OpenBallot.Command(ballot.Id, "bench"));
    Console.WriteLine($"RESULT open: {electors} electors in {ow.Elapsed.TotalSeconds:0.0} s (electorate, credentials, paper-only electors, frozen paper addresses, letters queued)");

    // The ceiling: the sample two-page leaflet on every core for 5 s, personalised each time.
    LeafletComposer.Compose(SampleCampaign.Look, "parents", "en", SampleCampaign.Content, new LeafletTarget(0, "Warm-up School", null), PageSize.A4).Render();
    long leaflets = 0;
    var lw = Stopwatch.StartNew();
    Parallel.For(0, Environment.ProcessorCount, _ =>
    {
        while (lw.Elapsed.TotalSeconds < 5)
        {
            var i = Interlocked.Increment(ref leaflets);
            LeafletComposer.Compose(SampleCampaign.Look, "parents", "en", SampleCampaign.Content,
                new LeafletTarget(i, $"Hillside Primary School {i}", new LocalContact($"Jo Bloggs {i % 50}", "jo@example.org", "01234 567890")), PageSize.A4).Render();
        }
    });
    var leafletRate = leaflets / lw.Elapsed.TotalSeconds;
    Console.WriteLine($"RESULT ceiling: {leafletRate:0} leaflets/s ({leafletRate * 2:0} pages/s), two-page leaflet on {Environment.ProcessorCount} cores");

    await mediator.Send(new StartPrint.Command(ballot.Id) { RequestedBy = "bench" });
    var runner = ActivatorUtilities.CreateInstance<PrintRunner>(host.Services);
    // CPU time as well as wall time: on a shared machine the wall time says how busy the others were; CPU seconds per
    // page say what the print costs, and so what two idle cores would do.
    var cpu0 = Process.GetCurrentProcess().TotalProcessorTime;
    var pw = Stopwatch.StartNew();
    await runner.RunDueAsync(CancellationToken.None);
    var printS = pw.Elapsed.TotalSeconds;
    var printCpu = (Process.GetCurrentProcess().TotalProcessorTime - cpu0).TotalSeconds;
    var job = (await mediator.Send(new GetPrintJobs.Query(ballot.Id)))[0];
    if (job.Status != "done") throw new Exception($"print failed: {job.Error}");
    Console.WriteLine($"RESULT print: {job.Papers} papers in {printS:0.0} s = {job.Papers / printS:0} pages/s ({job.Papers / printS / (leafletRate * 2) * 100:0}% of the leaflet ceiling's pages/s); " +
                      $"zip {job.SizeBytes / 1048576.0:0.0} MB, {job.SizeBytes / 1024.0 / job.Batches:0} KB per PDF of 1,000 papers, {job.SizeBytes / (double)job.Papers / 1024:0.0} KB per paper; peak memory {PeakMb():0} MB (VmHWM)");
    Console.WriteLine($"RESULT print CPU: {printCpu:0.0} CPU s = {printCpu * 1000 / job.Papers:0.00} CPU ms per page, {printCpu / printS / Environment.ProcessorCount * 100:0}% of {Environment.ProcessorCount} cores while printing; " +
                      $"{job.Papers / printCpu * Environment.ProcessorCount:0} pages/s if every core were ours");

    // Entry through the real API process.
    var token = (await mediator.Send(new CreateToken.Command(Roles.Scrutineer, "Bench"))).Token;
    var questions = new[] { "Yes", "No" };
    var port = 5970 + run;
    using var api = StartApi(conn, port, keyFile);
    try
    {
        using var http = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{port}"), Timeout = TimeSpan.FromMinutes(5) };
        await Ready(http);
        http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", token);
        var batches = Enumerable.Range(0, (Math.Min(enter, job.Papers > int.MaxValue ? int.MaxValue : (int)job.Papers) + 999) / 1000).ToList();
        var queue = new System.Collections.Concurrent.ConcurrentQueue<int>(batches);
        long counted = 0;
        var ew = Stopwatch.StartNew();
        await Task.WhenAll(Enumerable.Range(0, 4).Select(async _ =>
        {
            while (queue.TryDequeue(out var b))
            {
                var sb = new StringBuilder("{\"papers\":[");
                for (var s = b * 1000 + 1; s <= b * 1000 + 1000; s++)
                    sb.Append(s > b * 1000 + 1 ? "," : "").Append($"{{\"serial\":\"{s}\",\"answers\":{{\"boycott\":\"{questions[s % 2]}\",\"timing\":\"Autumn term\"}}}}");
                sb.Append("]}");
                var r = await http.PostAsync($"/api/ballots/{ballot.Id}/returned-papers", new StringContent(sb.ToString(), Encoding.UTF8, "application/json"));
                var body = await r.Content.ReadAsStringAsync();
                if (!r.IsSuccessStatusCode) throw new Exception($"entry failed: {(int)r.StatusCode} {body}");
                Interlocked.Add(ref counted, System.Text.Json.JsonDocument.Parse(body).RootElement.GetProperty("counted").GetInt64());
            }
        }));
        Console.WriteLine($"RESULT entry: {counted} papers counted in {ew.Elapsed.TotalSeconds:0.0} s = {counted / ew.Elapsed.TotalSeconds:0} papers/s (batches of 1,000, 4 clients)");
    }
    finally
    {
        api.Kill(entireProcessTree: true);
        await api.WaitForExitAsync();
    }
}
return 0;

static double PeakMb()
{
    var line = File.ReadLines("/proc/self/status").First(l => l.StartsWith("VmHWM:", StringComparison.Ordinal));
    return long.Parse(line.Split(' ', StringSplitOptions.RemoveEmptyEntries)[1]) / 1024.0;
}

IHost Host(string conn, string keyFile, string dir)
{
    var b = Microsoft.Extensions.Hosting.Host.CreateApplicationBuilder();
    b.Configuration.AddInMemoryCollection(new Dictionary<string, string?>
    {
        ["Database:ConnectionString"] = conn, ["Ballots:CredentialKeyFile"] = keyFile, ["Ballots:PrintFolder"] = Path.Combine(dir, "print"),
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
    await using var cmd = conn.CreateCommand();
    cmd.Transaction = tx;
    cmd.CommandText = """
        INSERT INTO member (membership_number, first_name, last_name, email, workplace_id, category, status, created_at, updated_at,
                            address_line1, town, postcode)
        VALUES ($n, $f, $l, $e, $w, 'teacher', 'active', $t, $t, $a, 'Leeds', $p)
        """;
    var pn = cmd.AddParameter("$n"); var pf = cmd.AddParameter("$f"); var pl = cmd.AddParameter("$l"); var pe = cmd.AddParameter("$e");
    var pw = cmd.AddParameter("$w"); var pt = cmd.AddParameter("$t"); var pa = cmd.AddParameter("$a"); var pp = cmd.AddParameter("$p");
    pt.Value = DapperSetup.ToSqliteText(now);
    var random = new Random(1);
    for (var i = 1; i <= n; i++)
    {
        pn.Value = $"M{i:D7}"; pf.Value = $"First{i}"; pl.Value = $"Last{i}"; pe.Value = $"member{i}@example.org"; pw.Value = ids[i % ids.Length];
        pa.Value = $"{i % 200 + 1} Chapel Street"; pp.Value = $"LS{random.Next(1, 30)} {random.Next(1, 10)}{(char)('A' + random.Next(26))}{(char)('A' + random.Next(26))}";
        await cmd.ExecuteNonQueryAsync();
    }
    await tx.CommitAsync();
}

Process StartApi(string conn, int port, string keyFile)
{
    var psi = new ProcessStartInfo("dotnet", [apiDll]) { RedirectStandardOutput = true, RedirectStandardError = true };
    psi.Environment["Database__ConnectionString"] = conn;
    psi.Environment["Urls"] = $"http://127.0.0.1:{port}";
    psi.Environment["Ballots__CredentialKeyFile"] = keyFile;
    psi.Environment["Logging__LogLevel__Default"] = "Warning";
    var p = Process.Start(psi)!;
    p.OutputDataReceived += (_, e) => { if (e.Data is not null && e.Data.Contains("\"Error\"")) Console.Error.WriteLine(e.Data); };
    p.ErrorDataReceived += (_, _) => { };
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

int Arg(string name, int def) { var i = Array.IndexOf(args, name); return i >= 0 ? int.Parse(args[i + 1]) : def; }

static string FindRoot()
{
    var d = new DirectoryInfo(AppContext.BaseDirectory);
    while (d is not null && !File.Exists(Path.Combine(d.FullName, "Ballot.sln"))) d = d.Parent;
    return d?.FullName ?? throw new InvalidOperationException("run inside the repository");
}
