using System.Collections.Concurrent;
using System.Data.Common;
using System.Net.Http.Headers;
using Ballot.Api;
using Ballot.Core.Data;
using Ballot.Core.Staff;
using MediatR;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.Extensions.Time.Testing;

namespace Ballot.Tests.Infrastructure;

/// <summary>
/// The real API on Kestrel, on a free loopback port, over a real database. Only the clock is fake.
/// </summary>
public sealed class ApiHost : IAsyncDisposable
{
    private readonly ConcurrentDictionary<string, string> _tokens = new();

    private ApiHost(WebApplication app, TestDatabase db, FakeTimeProvider clock, CapturedLogs logs)
    {
        App = app;
        Database = db;
        Clock = clock;
        Logs = logs;
        var address = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
        BaseAddress = new Uri(address);
        Client = new HttpClient { BaseAddress = BaseAddress };
    }

    public WebApplication App { get; }
    public TestDatabase Database { get; }
    public FakeTimeProvider Clock { get; }
    public CapturedLogs Logs { get; }
    public Uri BaseAddress { get; }

    /// <summary>A client with no token.</summary>
    public HttpClient Client { get; }

    public Db Db => App.Services.GetRequiredService<Db>();

    public static async Task<ApiHost> StartAsync(Action<Dictionary<string, string?>>? settings = null, TestDatabase? database = null)
    {
        var db = database ?? await TestDatabase.CreateAsync();
        var clock = new FakeTimeProvider(new DateTimeOffset(2026, 9, 7, 9, 0, 0, TimeSpan.Zero));
        var logs = new CapturedLogs();
        var config = new Dictionary<string, string?>
        {
            ["Database:ConnectionString"] = db.ConnectionString,
            ["Urls"] = "http://127.0.0.1:0",
            ["Ballots:CredentialKey"] = TestDatabase.CredentialKey,
            ["Ballots:CertificationKey"] = TestDatabase.CertificationKey,
            ["Staff:KeysFolder"] = Path.Combine(Path.GetTempPath(), "ballot-tests", "console-keys"),
            // A few slots per question: the vote path seals from the pool and falls back to direct sealing when it runs dry.
            ["Ballots:SealingSlotsPerQuestion"] = "4",
        };
        settings?.Invoke(config);
        var app = BallotApi.Build([], b =>
        {
            b.Configuration.AddInMemoryCollection(config);
            b.Services.AddSingleton<TimeProvider>(clock);
            b.Logging.AddProvider(logs);
            b.Logging.SetMinimumLevel(LogLevel.Debug);
        });
        await app.StartAsync();
        return new ApiHost(app, db, clock, logs);
    }

    public async Task<T> Send<T>(IRequest<T> request)
    {
        using var scope = App.Services.CreateScope();
        return await scope.ServiceProvider.GetRequiredService<IMediator>().Send(request);
    }

    public async Task<DbConnection> OpenAsync() => await Db.OpenAsync();

    /// <summary>A bearer token for a staff member in this role (made once per role through the real use case).</summary>
    public async Task<string> TokenFor(string role)
    {
        if (_tokens.TryGetValue(role, out var t)) return t;
        var created = await Send(new CreateToken.Command(role, $"Test {role}"));
        return _tokens[role] = created.Token;
    }

    /// <summary>A client that sends this role's token.</summary>
    public async Task<HttpClient> ClientFor(string role)
    {
        var client = new HttpClient { BaseAddress = BaseAddress };
        client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", await TokenFor(role));
        return client;
    }

    public async ValueTask DisposeAsync()
    {
        Client.Dispose();
        await App.StopAsync();
        await App.DisposeAsync();
        await Database.DisposeAsync();
    }
}
