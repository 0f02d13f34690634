using System.Reflection;
using DbUp;
using DbUp.Engine;
using DbUp.Engine.Output;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.Logging;

namespace Ballot.Core.Data;

/// <summary>Applies db/&lt;engine&gt;/NNNN_*.sql with DbUp: journaled, one transaction per script.</summary>
public sealed class Migrator(Db db, ILogger<Migrator> log)
{
    private static readonly Assembly Scripts = typeof(Migrator).Assembly;

    private string Prefix => db.Engine == Engine.Sqlite ? "db/sqlite/" : "db/postgres/";

    public IReadOnlyList<string> AllScripts() =>
        Scripts.GetManifestResourceNames().Where(n => n.StartsWith(Prefix, StringComparison.Ordinal)).Order(StringComparer.Ordinal).ToList();

    private UpgradeEngine Build()
    {
        var builder = db.Engine == Engine.Sqlite
            ? DeployChanges.To.SqliteDatabase(db.ConnectionString).JournalToSqliteTable("schema_versions")
            : DeployChanges.To.PostgresqlDatabase(db.ConnectionString).JournalToPostgresqlTable("public", "schema_versions");
        return builder
            .WithScriptsEmbeddedInAssembly(Scripts, name => name.StartsWith(Prefix, StringComparison.Ordinal))
            .WithTransactionPerScript()
            .LogTo(new DbUpLog(log))
            .Build();
    }

    public void Migrate()
    {
        if (db.Engine == Engine.Sqlite)
        {
            // WAL is a property of the file: set once, before any script, so the API and worker can share it.
            using var conn = new SqliteConnection(db.ConnectionString);
            conn.Open();
            using var cmd = conn.CreateCommand();
            cmd.CommandText = "PRAGMA journal_mode = WAL;";
            cmd.ExecuteNonQuery();
        }
        var result = Build().PerformUpgrade();
        if (!result.Successful)
            throw new InvalidOperationException($"Database migration failed in {result.ErrorScript?.Name}: {result.Error?.Message}", result.Error);
    }

    public IReadOnlyList<string> PendingScripts() => Build().GetScriptsToExecute().Select(s => s.Name).ToList();

    private sealed class DbUpLog(ILogger log) : IUpgradeLog
    {
        public void LogTrace(string format, params object[] args) => log.LogTrace(format, args);
        public void LogDebug(string format, params object[] args) => log.LogDebug(format, args);
        public void LogInformation(string format, params object[] args) => log.LogInformation(format, args);
        public void LogWarning(string format, params object[] args) => log.LogWarning(format, args);
        public void LogError(string format, params object[] args) => log.LogError(format, args);
        public void LogError(Exception ex, string format, params object[] args) => log.LogError(ex, format, args);
    }
}
