using Ballot.Tests.Infrastructure;
using Ballot.Worker;
using Microsoft.Extensions.Hosting;

namespace Ballot.Tests.Mail;

/// <summary>The real worker (Hangfire server, mail jobs) in this process, over the test's database.</summary>
public sealed class WorkerHost : IAsyncDisposable
{
    private WorkerHost(IHost host, CapturedLogs logs)
    {
        Host = host;
        Logs = logs;
    }

    public CapturedLogs Logs { get; }

    public IHost Host { get; }

    public static async Task<WorkerHost> StartAsync(string connectionString, Action<Dictionary<string, string?>>? settings = null,
        Action<IServiceCollection>? services = null)
    {
        var config = new Dictionary<string, string?>
        {
            ["Database:ConnectionString"] = connectionString,
            ["Worker:PollSeconds"] = "1",
            ["Mail:RetryBaseSeconds"] = "0",
            ["Mail:LeaseSeconds"] = "5",
            ["Mail:UnionName"] = "National Union of Teachers",
            ["Mail:UnionAddress"] = "Hamilton House, Mabledon Place, London WC1H 9BD",
            ["Mail:FromAddress"] = "letters@union.example",
            ["Ballots:CredentialKey"] = TestDatabase.CredentialKey,
        };
        settings?.Invoke(config);
        var logs = new CapturedLogs();
        var host = BallotWorker.Build([], b =>
        {
            b.Logging.AddProvider(logs);
            b.Configuration.AddInMemoryCollection(config);
            services?.Invoke(b.Services);
        });
        await host.StartAsync();
        return new WorkerHost(host, logs);
    }

    public async ValueTask DisposeAsync()
    {
        var errors = Logs.Lines.Where(l => l.StartsWith("Error") || l.StartsWith("Warning") || l.StartsWith("Critical")).ToList();
        if (errors.Count > 0) TestContext.Progress.WriteLine("Worker warnings and errors:\n" + string.Join("\n", errors.Take(40)));
        if (Environment.GetEnvironmentVariable("BALLOT_WORKER_LOG") is { } logFile) File.WriteAllText(logFile, Logs.All);
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(10));
        await Host.StopAsync(cts.Token);
        Host.Dispose();
    }
}
