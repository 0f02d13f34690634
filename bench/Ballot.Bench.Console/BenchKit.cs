// What the console benchmark's scenarios share: the host that seeds, the API process, signing in, timing a page.
using System.Diagnostics;
using System.Net;
using System.Text.RegularExpressions;
using Ballot.Core;
using Ballot.Core.Data;
using Ballot.Core.Staff.Accounts;
using Dapper;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Npgsql;

internal static class BenchKit
{
    /// <summary>Signs in through the form, as a browser would; with an authenticator key, the second step too.</summary>
    public static async Task SignIn(HttpClient http, string email, string password, string? authenticatorKey = null)
    {
        var response = await PostForm(http, "/", new() { ["email"] = email, ["password"] = password });
        if (response.StatusCode != HttpStatusCode.Redirect) throw new Exception($"sign-in failed: {(int)response.StatusCode}");
        if (authenticatorKey is null) return;
        response = await PostForm(http, "/sign-in/code", new() { ["code"] = Ballot.Tests.Console.Totp.Code(authenticatorKey) });
        if (response.StatusCode != HttpStatusCode.Redirect) throw new Exception($"second factor refused: {(int)response.StatusCode}");
    }

    private static async Task<HttpResponseMessage> PostForm(HttpClient http, string path, Dictionary<string, string> fields)
    {
        var form = await http.GetStringAsync(path);
        fields["__RequestVerificationToken"] = Regex.Match(form, "name=\"__RequestVerificationToken\" type=\"hidden\" value=\"([^\"]+)\"").Groups[1].Value;
        return await http.PostAsync(path, new FormUrlEncodedContent(fields));
    }

    /// <summary>The value at fraction q (0.5, 0.95) of the sorted times.</summary>
    public static double Percentile(List<double> sorted, double q) => sorted[(int)Math.Ceiling(sorted.Count * q) - 1];

    public static async Task<string> Get(HttpClient http, string path)
    {
        // The API's ping is a POST (it stands in for a vote in the ballot benchmark); everything else is a page.
        using var response = path == "/api/ping" ? await http.PostAsync(path, null) : await http.GetAsync(path);
        var body = await response.Content.ReadAsStringAsync();
        if (response.StatusCode != HttpStatusCode.OK) throw new Exception($"{path}: {(int)response.StatusCode} {body[..Math.Min(300, body.Length)]}");
        return body;
    }

    public static double Median(List<double> xs) { var s = xs.Order().ToList(); return s.Count % 2 == 1 ? s[s.Count / 2] : (s[s.Count / 2 - 1] + s[s.Count / 2]) / 2; }

    public static IHost Host(string conn, string keyFile)
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

    public static async Task SeedMembers(Db db, int n)
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

    public static Process StartApi(string apiDll, string conn, int port, string keyFile)
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

    public static async Task Ready(HttpClient http)
    {
        for (var i = 0; i < 600; i++)
        {
            try { if ((await http.GetAsync("/health")).IsSuccessStatusCode) return; } catch (HttpRequestException) { }
            await Task.Delay(50);
        }
        throw new TimeoutException("API did not start");
    }
}
