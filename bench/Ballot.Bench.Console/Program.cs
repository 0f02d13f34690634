// Staff console benchmark, as a signed-in organiser meets it, on the real API process (Release build):
//   a register of N members (450,000 by default, 25,000 workplaces) and a mailing to all of them, sent;
//   server time per page (HttpClient loop, one request at a time, p50 and p95) for the home page, a member search,
//   a member's page and the mailing's progress page, beside POST /api/ping in the same run; and each page's weight
//   (HTML plus its stylesheet and scripts, uncompressed, no images).
// Usage: dotnet run -c Release --project bench/Ballot.Bench.Console -- [--engine sqlite|postgres] [--members 450000]
//        [--requests 200] [--runs 3] [--seconds 15 (per page, once 20 requests are in)]
// Two more scenarios, as a scrutineer meets them (--scenario result|turnout; BallotPages.cs):
//   result:  the result page of a per-workplace ballot (25,000 constituencies) with --votes 1000000 papers;
//   turnout: the turnout page of a --members 450000 ballot while wrk casts votes at full speed, the vote rate beside it.
using System.Diagnostics;
using System.Net;
using System.Text.RegularExpressions;
using Ballot.Core;
using Ballot.Core.Data;
using Ballot.Core.Mail;
using Ballot.Core.Staff;
using Ballot.Core.Staff.Accounts;
using Dapper;
using MediatR;
using Microsoft.AspNetCore.Identity;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Npgsql;

var engine = ArgS("--engine", "sqlite");
var members = Arg("--members", 450_000);
var requests = Arg("--requests", 200);
var runs = Arg("--runs", 3);
var seconds = Arg("--seconds", 15);
var scenario = ArgS("--scenario", "pages");
var pgAdmin = Environment.GetEnvironmentVariable("BALLOT_TEST_PG") ?? "Host=127.0.0.1;Port=5432;Username=ballot;Password=ballot;Database=postgres";
var root = FindRoot();
var apiDll = Path.Combine(root, "Ballot.Api/bin/Release/net10.0/Ballot.Api.dll");
if (!File.Exists(apiDll)) { Console.Error.WriteLine($"Build first: dotnet build -c Release Ballot.sln ({apiDll} missing)"); return 1; }

var work = Path.Combine(Path.GetTempPath(), "ballot-bench-console");
if (Directory.Exists(work)) Directory.Delete(work, true);
Directory.CreateDirectory(work);
var keyFile = Path.Combine(work, "credential.key");
string conn;
string? pgDb = null;
if (engine == "postgres")
{
    pgDb = $"ballot_bench_console_{Environment.ProcessId}";
    await Pg($"CREATE DATABASE {pgDb}");
    conn = new NpgsqlConnectionStringBuilder(pgAdmin) { Database = pgDb }.ConnectionString;
}
else conn = $"Data Source={Path.Combine(work, "ballot.db")}";
Console.WriteLine($"engine={engine} scenario={scenario} members={members} requests={requests} runs={runs} cores={Environment.ProcessorCount}");
if (scenario is "result" or "turnout")
{
    var ballotPages = new BallotPages(root, apiDll, conn, keyFile, requests, runs, seconds);
    await (scenario == "result" ? ballotPages.Result(Arg("--votes", 1_000_000)) : ballotPages.Turnout(members));
    if (pgDb is not null) { NpgsqlConnection.ClearAllPools(); await Pg($"DROP DATABASE {pgDb} WITH (FORCE)"); }
    return 0;
}

// Seed through Core: the register, an organiser's account, and a mailing to every member, approved, queued and sent.
const string email = "organiser@bench.example", password = "bench organiser password 1";
long mailingId;
using (var host = BenchKit.Host(conn, keyFile))
{
    var sw = Stopwatch.StartNew();
    var db = host.Services.GetRequiredService<Db>();
    await BenchKit.SeedMembers(db, members);
    var mediator = host.Services.GetRequiredService<IMediator>();
    var created = await mediator.Send(new CreateAccount.Command(email, "Bench Organiser", Roles.Organiser, Actor.CommandLine));
    await mediator.Send(new SetUpAccount.Command(created.SetupToken!, password, password, null));
    var mailing = await mediator.Send(new CreateMailing.Command("Pay offer, {{ first_name }}", "Dear {{ first_name }},\n\nThe offer is in.", null, null, "organiser:bench"));
    mailingId = mailing.Id;
    await mediator.Send(new ApproveMailing.Command(mailingId, "executive:bench"));
    await mediator.Send(new ScheduleMailing.Command(mailingId, null, "organiser:bench"));
    await using (var c = await db.OpenAsync())
    {
        // As if the worker were two thirds through: the progress page counts a mailing in mid-flight.
        await c.ExecuteAsync("UPDATE mailing SET status = 'sending' WHERE id = @mailingId", new { mailingId });
        await c.ExecuteAsync("UPDATE mailing_recipient SET state = 'sent', sent_at = @now WHERE mailing_id = @mailingId AND id % 3 <> 0",
            new { mailingId, now = DateTimeOffset.UtcNow });
        if (c is NpgsqlConnection) await c.ExecuteAsync("VACUUM ANALYZE");
        else await c.ExecuteAsync("ANALYZE main");
    }
    Console.WriteLine($"seeded in {sw.Elapsed.TotalSeconds:0} s");
}

var pages = new (string Name, string Path)[]
{
    ("POST /api/ping", "/api/ping"),
    ("home", "/"),
    ("member search", "/members?q=last123456"),
    ("member search, filtered", "/members?workplace=School+77&category=teacher&status=active"),
    ("member page", "/members/M0123456"),
    ("mailing progress", $"/mailings/{mailingId}/progress"),
};
var p50s = pages.ToDictionary(p => p.Name, _ => new List<double>());
var p95s = pages.ToDictionary(p => p.Name, _ => new List<double>());
var cpus = pages.ToDictionary(p => p.Name, _ => new List<double>());
var weights = new Dictionary<string, long>();
for (var run = 1; run <= runs; run++)
{
    var port = 5950 + run;
    var api = BenchKit.StartApi(apiDll, conn, port, keyFile);
    var cookies = new CookieContainer();
    using var http = new HttpClient(new HttpClientHandler { CookieContainer = cookies, AllowAutoRedirect = false }) { BaseAddress = new Uri($"http://127.0.0.1:{port}") };
    await BenchKit.Ready(http);
    await BenchKit.SignIn(http, email, password);
    foreach (var (name, path) in pages)
    {
        var warm = Stopwatch.StartNew();
        for (var i = 0; i < Math.Max(20, requests / 5) && (i < 3 || warm.Elapsed.TotalSeconds < 5); i++) await BenchKit.Get(http, path); // warm-up
        var times = new List<double>(requests);
        string body = "";
        // At most --seconds per page, and at least 20 requests: a slow page is measured, not waited on for ever.
        api.Refresh();
        var cpu0 = api.TotalProcessorTime;
        var budget = Stopwatch.StartNew();
        for (var i = 0; i < requests && (i < 20 || budget.Elapsed.TotalSeconds < seconds); i++)
        {
            var t = Stopwatch.GetTimestamp();
            body = await BenchKit.Get(http, path);
            times.Add(Stopwatch.GetElapsedTime(t).TotalMilliseconds);
        }
        api.Refresh();
        // CPU the API process spent per request (all its threads): steadier than wall time on a shared machine.
        cpus[name].Add((api.TotalProcessorTime - cpu0).TotalMilliseconds / times.Count);
        times.Sort();
        p50s[name].Add(times[times.Count / 2]);
        p95s[name].Add(times[(int)Math.Ceiling(times.Count * 0.95) - 1]);
        if (run == 1 && path != "/api/ping") weights[name] = await Weight(http, body);
        Console.WriteLine($"run {run}: {name,-26} n {times.Count,4}  p50 {p50s[name][^1],6:0.0} ms  p95 {p95s[name][^1],6:0.0} ms  API CPU {cpus[name][^1],5:0.0} ms a request");
    }
    api.Kill(entireProcessTree: true);
    await api.WaitForExitAsync();
}
Console.WriteLine($"\nmedian of {runs} runs ({requests} requests each, one at a time):");
Console.WriteLine("| page | p50 ms | p95 ms | API CPU ms a request | weight KB (HTML + CSS + JS) |");
Console.WriteLine("|---|---:|---:|---:|---:|");
foreach (var (name, _) in pages)
    Console.WriteLine($"| {name} | {BenchKit.Median(p50s[name]):0.0} | {BenchKit.Median(p95s[name]):0.0} | {BenchKit.Median(cpus[name]):0.0} | {(weights.TryGetValue(name, out var w) ? (w / 1024.0).ToString("0.0") : "")} |");
if (pgDb is not null) { NpgsqlConnection.ClearAllPools(); await Pg($"DROP DATABASE {pgDb} WITH (FORCE)"); }
return 0;

// The page plus every stylesheet and script it links (same site only; there is nothing else).
static async Task<long> Weight(HttpClient http, string html)
{
    long total = System.Text.Encoding.UTF8.GetByteCount(html);
    foreach (Match m in Regex.Matches(html, "(?:href|src)=\"(/(?:css|js)/[^\"]+)\""))
        total += System.Text.Encoding.UTF8.GetByteCount(await BenchKit.Get(http, WebUtility.HtmlDecode(m.Groups[1].Value)));
    return total;
}

int Arg(string name, int def) { var i = Array.IndexOf(args, name); return i >= 0 ? int.Parse(args[i + 1]) : def; }
string ArgS(string name, string def) { var i = Array.IndexOf(args, name); return i >= 0 ? args[i + 1] : def; }

static string FindRoot()
{
    var dir = AppContext.BaseDirectory;
    while (dir is not null && !File.Exists(Path.Combine(dir, "Ballot.sln"))) dir = Path.GetDirectoryName(dir);
    return dir ?? throw new InvalidOperationException("Ballot.sln not found above " + AppContext.BaseDirectory);
}

async Task Pg(string sql)
{
    await using var c = new NpgsqlConnection(pgAdmin);
    await c.OpenAsync();
    await c.ExecuteAsync(sql);
}

