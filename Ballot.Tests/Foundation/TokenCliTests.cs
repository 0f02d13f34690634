using System.Diagnostics;
using System.Net;
using System.Net.Http.Headers;
using Ballot.Tests.Infrastructure;
using Dapper;

namespace Ballot.Tests.Foundation;

/// <summary>Runs the real command-line verb (the built Ballot.Api.dll) against the fixture's database.</summary>
public sealed class TokenCliTests
{
    private ApiHost _api = null!;

    [OneTimeSetUp]
    public async Task Start() => _api = await ApiHost.StartAsync();

    [OneTimeTearDown]
    public async Task Stop() => await _api.DisposeAsync();

    private async Task<(int Code, string Out, string Err)> Cli(params string[] args)
    {
        var psi = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true };
        psi.ArgumentList.Add(Path.Combine(AppContext.BaseDirectory, "Ballot.Api.dll"));
        psi.ArgumentList.Add("tokens");
        foreach (var a in args) psi.ArgumentList.Add(a);
        psi.Environment["Database__ConnectionString"] = _api.Database.ConnectionString;
        using var p = Process.Start(psi)!;
        var stdout = p.StandardOutput.ReadToEndAsync();
        var stderr = p.StandardError.ReadToEndAsync();
        await p.WaitForExitAsync();
        return (p.ExitCode, await stdout, await stderr);
    }

    [Test]
    public async Task Create_prints_the_token_once_list_shows_no_secret_and_revoke_stops_it()
    {
        var created = await Cli("create", "--role", "executive", "--name", "Jo Bloggs");
        Assert.That(created.Code, Is.EqualTo(0), created.Err);
        var token = created.Out.Trim().Split('\n').Last().Trim();
        Assert.That(token, Does.StartWith("blt_"));
        Assert.That(token.Length, Is.GreaterThanOrEqualTo(4 + 43), "at least 256 bits, base64url");

        await using (var conn = await _api.OpenAsync())
        {
            var stored = await conn.QuerySingleAsync<string>("SELECT token_hash FROM staff_token WHERE name = 'Jo Bloggs'");
            Assert.That(stored, Is.Not.EqualTo(token).And.Length.EqualTo(64), "only a SHA-256 hash is stored");
        }

        using var client = new HttpClient { BaseAddress = _api.BaseAddress };
        client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", token);
        var me = await (await client.GetAsync("/api/me")).ReadJson();
        Assert.That((string?)me["name"], Is.EqualTo("Jo Bloggs"));
        Assert.That((string?)me["role"], Is.EqualTo("executive"));

        var list = await Cli("list");
        Assert.That(list.Out, Does.Contain("Jo Bloggs").And.Contain("executive").And.Not.Contain(token));

        var id = (long)me["id"]!;
        var revoked = await Cli("revoke", id.ToString());
        Assert.That(revoked.Code, Is.EqualTo(0), revoked.Err);
        Assert.That((await client.GetAsync("/api/me")).StatusCode, Is.EqualTo(HttpStatusCode.Unauthorized));
    }

    [Test]
    public async Task An_unknown_role_is_refused_with_usage()
    {
        var result = await Cli("create", "--role", "king", "--name", "X");
        Assert.That(result.Code, Is.EqualTo(2));
        Assert.That(result.Err, Does.Contain("role must be one of"));
    }
}
