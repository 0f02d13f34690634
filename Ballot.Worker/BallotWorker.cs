using Ballot.Core;
using Ballot.Core.Data;
using Hangfire;
using Hangfire.PostgreSql;

namespace Ballot.Worker;

/// <summary>Builds the worker host: a Hangfire server over InMemory storage (SQLite) or PostgreSQL storage.</summary>
public static class BallotWorker
{
    public static IHost Build(string[] args, Action<HostApplicationBuilder>? configure = null)
    {
        var builder = Host.CreateApplicationBuilder(new HostApplicationBuilderSettings { Args = args, ContentRootPath = AppContext.BaseDirectory });
        builder.Logging.ClearProviders();
        builder.Logging.AddJsonConsole();
        builder.AddBallotCore();
        builder.Services.AddOptions<WorkerOptions>().Bind(builder.Configuration.GetSection(WorkerOptions.Section))
            .ValidateDataAnnotations().ValidateOnStart();

        var connectionString = builder.Configuration[$"{DatabaseOptions.Section}:ConnectionString"] ?? new DatabaseOptions().ConnectionString;
        builder.Services.AddHangfire(cfg =>
        {
            cfg.SetDataCompatibilityLevel(CompatibilityLevel.Version_180).UseSimpleAssemblyNameTypeSerializer().UseRecommendedSerializerSettings();
            if (Db.DetectEngine(connectionString) == Engine.Postgres)
                cfg.UsePostgreSqlStorage(o => o.UseNpgsqlConnection(connectionString), new PostgreSqlStorageOptions { PrepareSchemaIfNecessary = true });
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
        configure?.Invoke(builder);

        var host = builder.Build();
        host.Services.GetRequiredService<Migrator>().Migrate();
        return host;
    }
}
