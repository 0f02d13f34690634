// Register benchmarks through the real API process (Release build), as a user would see them:
//   cold start of the API to its first successful /health, import of a generated 450,000-member CSV through
//   POST /api/members/import, and a re-import of the same file (all unchanged).
//   With --changed: then an import in which every member's email changes (each change recorded, ADR 0220), and with
//   --open-ballot a ballot over the whole register is opened first, so every change is also announced (audit entry,
//   notice letters to the old addresses).
// Usage: dotnet run -c Release --project bench/Ballot.Bench.Register -- [--members 450000] [--runs 5] [--engine sqlite|postgres] [--changed] [--open-ballot]
using System.Diagnostics;
using System.Net.Http.Headers;
using System.Text;
using Npgsql;

var members = Arg("--members", 450_000);
var runs = Arg("--runs", 5);
var engine = ArgS("--engine", "sqlite");
var changed = args.Contains("--changed");
var openBallot = args.Contains("--open-ballot");
var pgAdmin = Environment.GetEnvironmentVariable("BALLOT_TEST_PG") ?? "Host=127.0.0.1;Port=5432;Username=ballot;Password=ballot;Database=postgres";
var root = FindRoot();
var apiDll = Path.Combine(root, "Ballot.Api/bin/Release/net10.0/Ballot.Api.dll");
if (!File.Exists(apiDll)) { Console.Error.WriteLine($"Build first: dotnet build -c Release Ballot.sln ({apiDll} missing)"); return 1; }

var work = Path.Combine(Path.GetTempPath(), "ballot-bench-register");
Directory.CreateDirectory(work);
var csvPath = Path.Combine(work, $"members-{members}.csv");
if (!File.Exists(csvPath)) Generate(csvPath, members);
var changedPath = Path.Combine(work, $"members-{members}-moved.csv");
if (changed && !File.Exists(changedPath)) Generate(changedPath, members, "moved");
Console.WriteLine($"engine={engine} members={members} csv={new FileInfo(csvPath).Length / 1e6:0.0} MB runs={runs} cores={Environment.ProcessorCount}");

var cold = new List<double>(); var import = new List<double>(); var ceiling = new List<double>(); var reimport = new List<double>(); var changedImport = new List<double>();
for (var run = 1; run <= runs; run++)
{
    string conn;
    string? pgDb = null;
    var dir = Path.Combine(work, $"run{run}");
    if (Directory.Exists(dir)) Directory.Delete(dir, true);
    Directory.CreateDirectory(dir);
    if (engine == "postgres")
    {
        pgDb = $"ballot_bench_{run}_{Environment.ProcessId}";
        await Pg($"CREATE DATABASE {pgDb}");
        conn = new NpgsqlConnectionStringBuilder(pgAdmin) { Database = pgDb }.ConnectionString;
    }
    else conn = $"Data Source={Path.Combine(dir, "ballot.db")}";

    // Token first (also applies the migrations), so cold start below measures a normal restart.
    var token = (await Run("dotnet", [apiDll, "tokens", "create", "--role", "organiser", "--name", "Bench"], conn)).Trim().Split('\n')[^1].Trim();

    var port = 5900 + run;
    var sw = Stopwatch.StartNew();
    var api = Start(apiDll, conn, port);
    using var http = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{port}"), Timeout = TimeSpan.FromMinutes(5) };
    while (true)
    {
        try { if ((await http.GetAsync("/health")).IsSuccessStatusCode) break; } catch (HttpRequestException) { }
        await Task.Delay(5);
    }
    cold.Add(sw.Elapsed.TotalMilliseconds);
    http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", token);

    async Task<double> Import(string expect, string? path = null)
    {
        await using var file = File.OpenRead(path ?? csvPath);
        var content = new StreamContent(file);
        content.Headers.ContentType = new MediaTypeHeaderValue("text/csv");
        var t = Stopwatch.StartNew();
        var response = await http.PostAsync("/api/members/import", content);
        var body = await response.Content.ReadAsStringAsync();
        var ms = t.Elapsed.TotalMilliseconds;
        if (!response.IsSuccessStatusCode || !body.Contains(expect)) throw new Exception($"import failed: {(int)response.StatusCode} {body[..Math.Min(300, body.Length)]}");
        return ms;
    }
    if (engine == "postgres") ceiling.Add(await CopyCeiling(conn));
    import.Add(await Import($"\"created\":{members}"));
    reimport.Add(await Import($"\"unchanged\":{members}"));
    Console.WriteLine($"run {run}: cold start {cold[^1]:0} ms, import {import[^1]:0} ms, re-import {reimport[^1]:0} ms" +
                      (ceiling.Count > 0 ? $", ceiling (bare COPY of the file's rows) {ceiling[^1]:0} ms" : ""));
    if (changed)
    {
        if (openBallot)
        {
            var exec = (await Run("dotnet", [apiDll, "tokens", "create", "--role", "executive", "--name", "Bench executive"], conn)).Trim().Split('\n')[^1].Trim();
            using var e = new HttpClient { BaseAddress = http.BaseAddress, Timeout = TimeSpan.FromMinutes(5) };
            e.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", exec);
            var now = DateTimeOffset.UtcNow;
            var created = await e.PostAsync("/api/ballots", new StringContent($$"""
                {"title":"Bench ballot","kind":"consultative","counting":"aggregated","opensAt":"{{now:O}}","closesAt":"{{now.AddDays(5):O}}",
                 "electorate":{},"reminderDaysBeforeClose":[],"questions":[{"id":"q","text":"Yes or no?","options":["Yes","No"]}]}
                """, Encoding.UTF8, "application/json"));
            var id = System.Text.Json.JsonDocument.Parse(await created.Content.ReadAsStringAsync()).RootElement.GetProperty("id").GetInt64();
            await Ceremony(e, id, conn, dir);
            var opened = await e.PostAsync($"/api/ballots/{id}/open", null);
            if (!opened.IsSuccessStatusCode) throw new Exception("open failed: " + await opened.Content.ReadAsStringAsync());
        }
        changedImport.Add(await Import($"\"updated\":{members}", changedPath));
        Console.WriteLine($"run {run}: import changing every email{(openBallot ? " of an open ballot's electors" : "")} {changedImport[^1]:0} ms");
    }
    api.Kill(entireProcessTree: true);
    await api.WaitForExitAsync();
    if (pgDb is not null) { NpgsqlConnection.ClearAllPools(); await Pg($"DROP DATABASE {pgDb} WITH (FORCE)"); }
}
Console.WriteLine($"median: cold start {Median(cold):0} ms, import {Median(import):0} ms ({members / Median(import) * 1000:0} rows/s), re-import {Median(reimport):0} ms" +
                  (changed ? $", every email changed {Median(changedImport):0} ms" : "") +
                  (ceiling.Count > 0 ? $"; ceiling {Median(ceiling):0} ms, import / ceiling {Median(import) / Median(ceiling):0.0}" : ""));
return 0;

// The ceiling, in the same run: the file's rows, parsed in this process beforehand, by bare binary COPY into a
// temporary table without index, key or trigger, over one connection: what writing this much costs the server now.
async Task<double> CopyCeiling(string conn)
{
    var rows = File.ReadLines(csvPath).Skip(1).Select(l => l.Split(',')).ToList();
    await using var pg = new NpgsqlConnection(conn);
    await pg.OpenAsync();
    await using (var create = new NpgsqlCommand("CREATE TEMP TABLE ceiling (membership_number text, first_name text, last_name text, email text, workplace_id bigint, category text, status text, created_at timestamptz, updated_at timestamptz)", pg))
        await create.ExecuteNonQueryAsync();
    var now = DateTimeOffset.UtcNow;
    var t = Stopwatch.StartNew();
    await using (var copy = await pg.BeginBinaryImportAsync("COPY ceiling FROM STDIN (FORMAT BINARY)"))
    {
        var i = 0L;
        foreach (var r in rows)
        {
            copy.StartRow();
            copy.Write(r[0], NpgsqlTypes.NpgsqlDbType.Text);
            copy.Write(r[1], NpgsqlTypes.NpgsqlDbType.Text);
            copy.Write(r[2], NpgsqlTypes.NpgsqlDbType.Text);
            copy.Write(r[3], NpgsqlTypes.NpgsqlDbType.Text);
            copy.Write(++i % 25_000, NpgsqlTypes.NpgsqlDbType.Bigint);
            copy.Write(r[7], NpgsqlTypes.NpgsqlDbType.Text);
            copy.Write("active", NpgsqlTypes.NpgsqlDbType.Text);
            copy.Write(now, NpgsqlTypes.NpgsqlDbType.TimestampTz);
            copy.Write(now, NpgsqlTypes.NpgsqlDbType.TimestampTz);
        }
        await copy.CompleteAsync();
    }
    return t.Elapsed.TotalMilliseconds;
}

static double Median(List<double> xs) { var s = xs.Order().ToList(); return s.Count % 2 == 1 ? s[s.Count / 2] : (s[s.Count / 2 - 1] + s[s.Count / 2]) / 2; }

int Arg(string name, int def) { var i = Array.IndexOf(args, name); return i >= 0 ? int.Parse(args[i + 1]) : def; }
string ArgS(string name, string def) { var i = Array.IndexOf(args, name); return i >= 0 ? args[i + 1] : def; }

async Task Pg(string sql)
{
    await using var c = new NpgsqlConnection(pgAdmin);
    await c.OpenAsync();
    await using var cmd = new NpgsqlCommand(sql, c);
    await cmd.ExecuteNonQueryAsync();
}

static Process Start(string dll, string conn, int port)
{
    var psi = new ProcessStartInfo("dotnet", [dll]) { RedirectStandardOutput = true, RedirectStandardError = true };
    psi.Environment["Database__ConnectionString"] = conn;
    psi.Environment["Ballots__CredentialKey"] = "AQIDBAUGBwgJCgsMDQ4PEBESExQVFhcYGRobHB0eHyA=";   // required on PostgreSQL; a bench-only key
    psi.Environment["Ballots__CertificationKeyFile"] = Path.Combine(Path.GetTempPath(), "ballot-bench-certification.key");   // the API requires it on PostgreSQL
    psi.Environment["Urls"] = $"http://127.0.0.1:{port}";
    psi.Environment["Logging__LogLevel__Default"] = "Warning";
    psi.Environment["Logging__LogLevel__Ballot.Core.Members"] = "Information";
    psi.RedirectStandardOutput = false;
    var p = Process.Start(psi)!;
    p.ErrorDataReceived += (_, _) => { };
    p.BeginErrorReadLine();
    return p;
}

// A ballot opens only with its key (ADR 0902): three trustees with tokens of their own, 2 of 3, each running the real
// `trustee init`, `deal` and `finish` commands against the API, as docs/walkthrough.md shows (a cheap share-file KDF).
async Task Ceremony(HttpClient executive, long ballotId, string conn, string dir)
{
    var seats = new[] { ("scrutineer", "scrutineer", "Bench scrutineer"), ("executive", "executive", "Bench executive"), ("reserve", "executive", "Bench reserve") };
    var tokens = new List<(long Id, string Token)>();
    foreach (var (_, tokenRole, name) in seats)
    {
        var lines = (await Run("dotnet", [apiDll, "tokens", "create", "--role", tokenRole, "--name", name], conn)).Trim().Split('\n');
        tokens.Add((long.Parse(lines[^2].Split(' ')[2], System.Globalization.CultureInfo.InvariantCulture), lines[^1].Trim()));
    }
    var body = System.Text.Json.JsonSerializer.Serialize(new
    {
        threshold = 2,
        trustees = seats.Select((s, i) => new { role = s.Item1, name = s.Item3, tokenId = tokens[i].Id }),
    });
    var named = await executive.PutAsync($"/api/ballots/{ballotId}/trustees", new StringContent(body, Encoding.UTF8, "application/json"));
    if (!named.IsSuccessStatusCode) throw new Exception("naming the trustees failed: " + await named.Content.ReadAsStringAsync());
    var api = executive.BaseAddress!.ToString();
    foreach (var verb in (string[])["init", "deal", "finish"])
        for (var i = 1; i <= seats.Length; i++)
        {
            string[] argv = verb == "init"
                ? [apiDll, "trustee", "init", "--api", api, "--ballot", $"{ballotId}", "--trustee", $"{i}", "--file", Path.Combine(dir, $"share-{i}.json")]
                : [apiDll, "trustee", verb, "--api", api, "--file", Path.Combine(dir, $"share-{i}.json")];
            var env = new Dictionary<string, string>
            {
                ["BALLOT_TOKEN"] = tokens[i - 1].Token,
                ["BALLOT_TRUSTEE_PASSPHRASE"] = "bench passphrase, not a secret",
                ["BALLOT_TRUSTEE_KDF_COST_FOR_TESTS"] = "1,16777216",
            };
            var (code, output) = await RunCode("dotnet", argv, conn, env);
            if (code != 0) throw new Exception($"trustee {verb} {i} failed ({code}): {output}");
        }
}

static async Task<string> Run(string file, string[] argv, string conn) => (await RunCode(file, argv, conn)).Output;

static async Task<(int Code, string Output)> RunCode(string file, string[] argv, string conn, IReadOnlyDictionary<string, string>? env = null)
{
    var psi = new ProcessStartInfo(file, argv) { RedirectStandardOutput = true, RedirectStandardError = env is not null };
    foreach (var (k, v) in env ?? new Dictionary<string, string>()) psi.Environment[k] = v;
    psi.Environment["Database__ConnectionString"] = conn;
    psi.Environment["Ballots__CredentialKey"] = "AQIDBAUGBwgJCgsMDQ4PEBESExQVFhcYGRobHB0eHyA=";   // required on PostgreSQL; a bench-only key
    using var p = Process.Start(psi)!;
    var error = psi.RedirectStandardError ? p.StandardError.ReadToEndAsync() : Task.FromResult("");
    var o = await p.StandardOutput.ReadToEndAsync();
    await p.WaitForExitAsync();
    return (p.ExitCode, o + await error);
}

static void Generate(string path, int n, string local = "member")
{
    var regions = new[] { "North West", "North East", "Yorkshire", "East Midlands", "West Midlands", "Eastern", "London", "South East", "South West", "Wales" };
    var categories = new[] { "teacher", "teacher", "teacher", "support-staff", "leader", "supply-teacher" };
    using var w = new StreamWriter(path, false, new UTF8Encoding(false), 1 << 16);
    w.Write("membership_number,first_name,last_name,email,workplace,employer,region,category\n");
    for (var i = 1; i <= n; i++)
    {
        var school = i % 25_000;
        w.Write($"M{i:D7},First{i},Last{i},{local}{i}@example.org,School {school},Employer {school % 150},{regions[school % regions.Length]},{categories[i % categories.Length]}\n");
    }
}

static string FindRoot()
{
    var d = new DirectoryInfo(AppContext.BaseDirectory);
    while (d is not null && !File.Exists(Path.Combine(d.FullName, "Ballot.sln"))) d = d.Parent;
    return d?.FullName ?? throw new InvalidOperationException("run inside the repository");
}
