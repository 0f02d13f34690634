using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using Ballot.Tests.Infrastructure;

namespace Ballot.Tests.Ballots;

/// <summary>
/// A vote acknowledged with 201 survives kill -9 of the API process that acknowledged it. On SQLite the API checkpoints
/// every 3 votes here, so the votes cross several checkpoints beside the writer, catch-ups and restarts of the WAL.
/// </summary>
public sealed class DurabilityTests
{
    private const int Electors = 120;
    private ApiHost _api = null!;
    private BallotKit _kit = null!;
    private string _keyFile = null!;

    [SetUp]
    public async Task Start()
    {
        _keyFile = Path.Combine(Path.GetTempPath(), "ballot-tests", $"key-{Guid.NewGuid():N}");
        _api = await ApiHost.StartAsync(s => s["Ballots:CredentialKeyFile"] = _keyFile);
        _kit = new BallotKit(_api);
        await _kit.ImportMembers(MemberCsv.Generate(Electors, schools: 2));
    }

    [TearDown]
    public async Task Stop()
    {
        await _api.DisposeAsync();
        File.Delete(_keyFile);
    }

    [Test]
    public async Task A_vote_acknowledged_survives_kill_9_of_the_api()
    {
        // The separate process runs on the real clock, so the ballot stays open for a year from now.
        var id = await _kit.Create(BallotKit.Consultative(_kit.Now, DateTimeOffset.UtcNow.AddDays(365)));
        await _kit.Open(id);
        var credentials = new List<string>();
        for (var i = 1; i <= Electors; i++) credentials.Add(await _kit.Credential(id, $"M{i:D6}"));

        var port = FreePort();
        var receipts = new List<string>();
        using (var api = StartApi(port))
        {
            using var client = await Ready(port);
            // Three waves of votes in flight, then kill -9 the moment the last 201 of the last wave arrives.
            var responses = new List<HttpResponseMessage>();
            foreach (var wave in credentials.Chunk(Electors / 3))
                responses.AddRange(await Task.WhenAll(wave.Select(c =>
                    client.PostAsync("/api/votes", Http.JsonBody($$"""{"credential":"{{c}}","answers":{"boycott":"Yes"} }""")))));
            api.Kill(entireProcessTree: true);
            foreach (var r in responses)
            {
                Assert.That(r.StatusCode, Is.EqualTo(HttpStatusCode.Created));
                receipts.Add((string)(await r.ReadJson())["receipt"]!);
            }
            await api.WaitForExitAsync();
            Assert.That(api.ExitCode, Is.EqualTo(137), "killed by SIGKILL");
        }

        using (var api = StartApi(port))
        {
            using var client = await Ready(port);
            foreach (var receipt in receipts)
            {
                var check = await (await client.GetAsync($"/api/ballots/{id}/receipts/{receipt}")).ReadJson();
                Assert.That((bool)check["recorded"]!, Is.True, receipt);
            }
            var again = await client.PostAsync("/api/votes", Http.JsonBody($$"""{"credential":"{{credentials[0]}}","answers":{"boycott":"No"} }"""));
            Assert.That(again.StatusCode, Is.EqualTo(HttpStatusCode.Conflict));
            api.Kill(entireProcessTree: true);
            await api.WaitForExitAsync();
        }
        Assert.That(await _kit.Scalar<long>("SELECT COUNT(*) FROM ballot_paper WHERE ballot_id = @id", new { id }), Is.EqualTo(Electors));
        Assert.That(await _kit.Scalar<long>("SELECT SUM(voted) FROM ballot_elector WHERE ballot_id = @id", new { id }), Is.EqualTo(Electors));
    }

    private static int FreePort()
    {
        using var l = new TcpListener(IPAddress.Loopback, 0);
        l.Start();
        return ((IPEndPoint)l.LocalEndpoint).Port;
    }

    private Process StartApi(int port)
    {
        var psi = new ProcessStartInfo("dotnet", [Path.Combine(AppContext.BaseDirectory, "Ballot.Api.dll")])
        {
            RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false, WorkingDirectory = AppContext.BaseDirectory,
        };
        psi.Environment["Database__ConnectionString"] = _api.Database.ConnectionString;
        psi.Environment["Urls"] = $"http://127.0.0.1:{port}";
        psi.Environment["Ballots__CredentialKeyFile"] = _keyFile;
        if (TestDatabase.CertificationKey is { } certificationKey) psi.Environment["Ballots__CertificationKey"] = certificationKey;   // required on PostgreSQL
        psi.Environment["Logging__LogLevel__Default"] = "Warning";
        psi.Environment["Ballots__CheckpointEveryVotes"] = "3";
        var p = Process.Start(psi)!;
        p.OutputDataReceived += (_, _) => { };
        p.ErrorDataReceived += (_, e) => { if (e.Data is not null) TestContext.Progress.WriteLine(e.Data); };
        p.BeginOutputReadLine();
        p.BeginErrorReadLine();
        return p;
    }

    private static async Task<HttpClient> Ready(int port)
    {
        var client = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{port}") };
        var until = DateTime.UtcNow.AddSeconds(30);
        while (DateTime.UtcNow < until)
        {
            try
            {
                if ((await client.GetAsync("/health")).IsSuccessStatusCode) return client;
            }
            catch (HttpRequestException) { }
            await Task.Delay(100);
        }
        throw new TimeoutException("The API process did not answer /health within 30 s.");
    }
}
