// Staff console benchmark, as a signed-in organiser meets it, on the real API process (Release build):
//   a register of N members (450,000 by default, 25,000 workplaces) and a mailing to all of them, sent;
//   server time per page (HttpClient loop, one request at a time, p50 and p95) for the home page, a member search,
//   a member's page and the mailing's progress page, beside POST /api/ping in the same run; and each page's weight
//   (HTML plus its stylesheet and scripts, uncompressed, no images).
// Usage: dotnet run -c Release --project bench/Ballot.Bench.Console -- [--engine sqlite|postgres] [--members 450000]
//        [--requests 200] [--runs 3] [--seconds 15 (per page, once 20 requests are in)]
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
Console.WriteLine($"engine={engine} members={members} requests={requests} runs={runs} cores={Environment.ProcessorCount}");

// Seed through Core: the register, an organiser's account, and a mailing to every member, approved, queued and sent.
const string email = "organiser@bench.example", password = "bench organiser password 1";
long mailingId;
using (var host = Host(conn, keyFile))
{
    var sw = Stopwatch.StartNew();
    var db = host.Services.GetRequiredService<Db>();
    await SeedMembers(db, members);
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
var weights = new Dictionary<string, long>();
for (var run = 1; run <= runs; run++)
{
    var port = 5950 + run;
    var api = StartApi(conn, port, keyFile);
    var cookies = new CookieContainer();
    using var http = new HttpClient(new HttpClientHandler { CookieContainer = cookies, AllowAutoRedirect = false }) { BaseAddress = new Uri($"http://127.0.0.1:{port}") };
    await Ready(http);
    await SignIn(http);
    foreach (var (name, path) in pages)
    {
        var warm = Stopwatch.StartNew();
        for (var i = 0; i < Math.Max(20, requests / 5) && (i < 3 || warm.Elapsed.TotalSeconds < 5); i++) await Get(http, path); // warm-up
        var times = new List<double>(requests);
        string body = "";
        // At most --seconds per page, and at least 20 requests: a slow page is measured, not waited on for ever.
        var budget = Stopwatch.StartNew();
        for (var i = 0; i < requests && (i < 20 || budget.Elapsed.TotalSeconds < seconds); i++)
        {
            var t = Stopwatch.GetTimestamp();
            body = await Get(http, path);
            times.Add(Stopwatch.GetElapsedTime(t).TotalMilliseconds);
        }
        times.Sort();
        p50s[name].Add(times[times.Count / 2]);
        p95s[name].Add(times[(int)Math.Ceiling(times.Count * 0.95) - 1]);
        if (run == 1 && path != "/api/ping") weights[name] = await Weight(http, body);
        Console.WriteLine($"run {run}: {name,-26} n {times.Count,4}  p50 {p50s[name][^1],6:0.0} ms  p95 {p95s[name][^1],6:0.0} ms");
    }
    api.Kill(entireProcessTree: true);
    await api.WaitForExitAsync();
}
Console.WriteLine($"\nmedian of {runs} runs ({requests} requests each, one at a time):");
Console.WriteLine("| page | p50 ms | p95 ms | weight KB (HTML + CSS + JS) |");
Console.WriteLine("|---|---:|---:|---:|");
foreach (var (name, _) in pages)
    Console.WriteLine($"| {name} | {Median(p50s[name]):0.0} | {Median(p95s[name]):0.0} | {(weights.TryGetValue(name, out var w) ? (w / 1024.0).ToString("0.0") : "")} |");
if (pgDb is not null) { NpgsqlConnection.ClearAllPools(); await Pg($"DROP DATABASE {pgDb} WITH (FORCE)"); }
return 0;

async Task SignIn(HttpClient http)
{
    var form = await http.GetStringAsync("/");
    var token = Regex.Match(form, "name=\"__RequestVerificationToken\" type=\"hidden\" value=\"([^\"]+)\"").Groups[1].Value;
    var response = await http.PostAsync("/", new FormUrlEncodedContent(new Dictionary<string, string>
    {
        ["email"] = email, ["password"] = password, ["__RequestVerificationToken"] = token,
    }));
    if (response.StatusCode != HttpStatusCode.Redirect) throw new Exception($"sign-in failed: {(int)response.StatusCode}");
}

static async Task<string> Get(HttpClient http, string path)
{
    // The API's ping is a POST (it stands in for a vote in the ballot benchmark); everything else is a page.
    using var response = path == "/api/ping" ? await http.PostAsync(path, null) : await http.GetAsync(path);
    var body = await response.Content.ReadAsStringAsync();
    if (response.StatusCode != HttpStatusCode.OK) throw new Exception($"{path}: {(int)response.StatusCode} {body[..Math.Min(300, body.Length)]}");
    return body;
}

// The page plus every stylesheet and script it links (same site only; there is nothing else).
static async Task<long> Weight(HttpClient http, string html)
{
    long total = System.Text.Encoding.UTF8.GetByteCount(html);
    foreach (Match m in Regex.Matches(html, "(?:href|src)=\"(/(?:css|js)/[^\"]+)\""))
        total += System.Text.Encoding.UTF8.GetByteCount(await Get(http, WebUtility.HtmlDecode(m.Groups[1].Value)));
    return total;
}

static double Median(List<double> xs) { var s = xs.Order().ToList(); return s.Count % 2 == 1 ? s[s.Count / 2] : (s[s.Count / 2 - 1] + s[s.Count / 2]) / 2; }
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

static IHost Host(string conn, string keyFile)
{
    var b = Microsoft.Extensions.Hosting.Host.CreateApplicationBuilder();
    b.Configuration.AddInMemoryCollection(new Dictionary<string, string?>
    {
        ["Database:ConnectionString"] = conn, ["Ballots:CredentialKeyFile"] = keyFile,
    });
    b.Logging.ClearProviders();
    b.AddBallotCore();
    b.Services.AddIdentityCore<StaffUser>();
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
    string[] categories = ["teacher", "teacher", "teacher", "support-staff", "leader", "supply-teacher"];
    if (conn is NpgsqlConnection pg)
    {
        await using var copy = await pg.BeginBinaryImportAsync(
            "COPY member (membership_number, first_name, last_name, email, workplace_id, category, status, created_at, updated_at) FROM STDIN (FORMAT BINARY)");
        for (var i = 1; i <= n; i++)
            await copy.WriteRowAsync(default, $"M{i:D7}", $"First{i}", $"Last{i}", $"member{i}@example.org", ids[i % ids.Length], categories[i % categories.Length], i % 20 == 0 ? "lapsed" : "active", now, now);
        await copy.CompleteAsync();
    }
    else
    {
        await using var cmd = conn.CreateCommand();
        cmd.Transaction = tx;
        cmd.CommandText = "INSERT INTO member (membership_number, first_name, last_name, email, workplace_id, category, status, created_at, updated_at) VALUES ($n, $f, $l, $e, $w, $c, $s, $t, $t)";
        var pn = cmd.AddParameter("$n"); var pf = cmd.AddParameter("$f"); var pl = cmd.AddParameter("$l"); var pe = cmd.AddParameter("$e"); var pw = cmd.AddParameter("$w");
        var pc = cmd.AddParameter("$c"); var ps = cmd.AddParameter("$s"); var pt = cmd.AddParameter("$t");
        pt.Value = DapperSetup.ToSqliteText(now);
        for (var i = 1; i <= n; i++)
        {
            pn.Value = $"M{i:D7}"; pf.Value = $"First{i}"; pl.Value = $"Last{i}"; pe.Value = $"member{i}@example.org"; pw.Value = ids[i % ids.Length];
            pc.Value = categories[i % categories.Length]; ps.Value = i % 20 == 0 ? "lapsed" : "active";
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
