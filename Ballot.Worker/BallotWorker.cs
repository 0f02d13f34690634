using Ballot.Core;
using Ballot.Core.Data;
using Hangfire;
using Hangfire.PostgreSql;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.Options;

namespace Ballot.Worker;

/// <summary>
/// Builds the worker host: a Hangfire server over InMemory storage (SQLite) or PostgreSQL storage, and Hangfire's
/// dashboard for staff on Worker:DashboardUrls (a free loopback port unless set; Program sets http://localhost:5081).
/// </summary>
public static class BallotWorker
{
    public static IHost Build(string[] args, Action<IHostApplicationBuilder>? configure = null)
    {
        var builder = WebApplication.CreateBuilder(new WebApplicationOptions { Args = args, ContentRootPath = AppContext.BaseDirectory });
        builder.Logging.ClearProviders();
        builder.Logging.AddJsonConsole();
        builder.AddBallotCore();
        builder.Services.AddOptions<WorkerOptions>().Bind(builder.Configuration.GetSection(WorkerOptions.Section))
            .ValidateDataAnnotations().ValidateOnStart();

        // Read the connection string when the container is built, so settings added by configure count.
        builder.Services.AddHangfire((sp, cfg) =>
        {
            var connectionString = sp.GetRequiredService<IOptions<DatabaseOptions>>().Value.ConnectionString;
            cfg.SetDataCompatibilityLevel(CompatibilityLevel.Version_180).UseSimpleAssemblyNameTypeSerializer().UseRecommendedSerializerSettings();
            if (Db.DetectEngine(connectionString) == Engine.Postgres)
                cfg.UsePostgreSqlStorage(o => o.UseNpgsqlConnection(connectionString), new PostgreSqlStorageOptions
                {
                    PrepareSchemaIfNecessary = true,
                    // A worker killed while holding a lock (e.g. the recurring-job scheduler's, held for a moment every
                    // second) would otherwise stop every other worker's recurring jobs for 10 minutes. No job here holds
                    // a Hangfire lock for long: mail sending is guarded by its own lease in the database (ADR 0100).
                    DistributedLockTimeout = TimeSpan.FromSeconds(10),
                    // Recurring jobs are enqueued by whichever worker's scheduler runs them; the default 15 s between
                    // fetches would let a due ballot or mailing wait that long for a worker to dequeue it (ADR 0812).
                    QueuePollInterval = TimeSpan.FromSeconds(1),
                });
            else
                cfg.UseInMemoryStorage();
        });
        builder.Services.AddHangfireServer(o =>
        {
            o.WorkerCount = Math.Max(4, Environment.ProcessorCount * 2);
            o.SchedulePollingInterval = TimeSpan.FromSeconds(1);
        });
        builder.Services.AddScoped<MailJobs>();
        builder.Services.AddHostedService<Scheduler>();
        builder.Services.AddDashboardSignIn();
        configure?.Invoke(builder);

        var app = builder.Build();
        app.Services.GetRequiredService<Migrator>().Migrate();
        app.Urls.Clear();
        foreach (var url in (app.Configuration["Worker:DashboardUrls"] ?? "http://127.0.0.1:0").Split(';', StringSplitOptions.RemoveEmptyEntries))
            app.Urls.Add(url.Trim());
        app.MapDashboard();
        return app;
    }
}
