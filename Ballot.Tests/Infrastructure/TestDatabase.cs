using Ballot.Core.Data;
using Npgsql;

namespace Ballot.Tests.Infrastructure;

/// <summary>
/// A fresh, real database per fixture: a SQLite file in a temp folder, or a new PostgreSQL database.
/// BALLOT_TEST_ENGINE=sqlite|postgres picks the engine (test.sh runs the suite once with each).
/// </summary>
public sealed class TestDatabase : IAsyncDisposable
{
    public static Engine Engine => (Environment.GetEnvironmentVariable("BALLOT_TEST_ENGINE") ?? "sqlite").ToLowerInvariant() switch
    {
        "postgres" or "postgresql" or "pg" => Engine.Postgres,
        _ => Engine.Sqlite,
    };

    public static string PostgresAdmin =>
        Environment.GetEnvironmentVariable("BALLOT_TEST_PG")
        ?? "Host=127.0.0.1;Port=5432;Username=ballot;Password=ballot;Database=postgres";

    /// <summary>
    /// PostgreSQL requires Ballots:CredentialKey (no SQLite file to keep a key file beside); every host a test starts
    /// over one database gets this one. SQLite tests use the key file beside the database file.
    /// </summary>
    public static string? CredentialKey => Engine == Engine.Postgres ? "AQIDBAUGBwgJCgsMDQ4PEBESExQVFhcYGRobHB0eHyA=" : null;

    /// <summary>
    /// The API on PostgreSQL requires Ballots:CertificationKey too (ADR 0230): one key for every host of the test run, so a
    /// certificate signed by one host verifies in another. SQLite tests use the key file beside the database file.
    /// </summary>
    public static string? CertificationKey { get; } = Engine == Engine.Postgres
        ? System.Security.Cryptography.ECDsa.Create(System.Security.Cryptography.ECCurve.NamedCurves.nistP256).ExportPkcs8PrivateKeyPem()
        : null;

    private readonly string? _pgName;

    private TestDatabase(string connectionString, string? folder, string? pgName)
    {
        ConnectionString = connectionString;
        Folder = folder;
        _pgName = pgName;
    }

    public string ConnectionString { get; }

    /// <summary>The SQLite file's folder (also where key files and the mail pickup folder go); a temp folder on PostgreSQL.</summary>
    public string? Folder { get; }

    /// <summary>
    /// A database with every migration applied, copied from a template migrated once per test run: migrating a fresh
    /// PostgreSQL database took seconds per fixture, and the suite starts about fifty. The copy is what the migrator
    /// would have built; each host still runs the migrator at start-up, which then finds nothing to apply.
    /// </summary>
    public static async Task<TestDatabase> CreateAsync()
    {
        var folder = Path.Combine(Path.GetTempPath(), "ballot-tests", Guid.NewGuid().ToString("N")[..12]);
        Directory.CreateDirectory(folder);
        var template = await Template.Value;
        if (Engine == Engine.Sqlite)
        {
            File.Copy(template, Path.Combine(folder, "ballot.db"));
            return new TestDatabase($"Data Source={Path.Combine(folder, "ballot.db")}", folder, null);
        }

        var name = "ballot_t_" + Guid.NewGuid().ToString("N")[..12];
        await AdminAsync($"CREATE DATABASE {name} TEMPLATE {template}");
        var csb = new NpgsqlConnectionStringBuilder(PostgresAdmin) { Database = name, Pooling = true };
        return new TestDatabase(csb.ConnectionString, folder, name);
    }

    private static readonly Lazy<Task<string>> Template = new(MigrateTemplateAsync);

    /// <summary>The SQLite template's path, or the PostgreSQL template database's name (dropped by <see cref="DropTemplateAsync"/>).</summary>
    private static async Task<string> MigrateTemplateAsync()
    {
        string connectionString, template;
        if (Engine == Engine.Sqlite)
        {
            var folder = Path.Combine(Path.GetTempPath(), "ballot-tests", "template-" + Guid.NewGuid().ToString("N")[..12]);
            Directory.CreateDirectory(folder);
            template = Path.Combine(folder, "ballot.db");
            connectionString = $"Data Source={template};Pooling=False";
        }
        else
        {
            await DropStaleTemplatesAsync();
            template = $"ballot_tpl_{Environment.ProcessId}_{Guid.NewGuid().ToString("N")[..6]}";
            await AdminAsync($"CREATE DATABASE {template}");
            connectionString = new NpgsqlConnectionStringBuilder(PostgresAdmin) { Database = template, Pooling = false }.ConnectionString;
        }
        var db = new Db(Microsoft.Extensions.Options.Options.Create(new DatabaseOptions { ConnectionString = connectionString }));
        new Migrator(db, Microsoft.Extensions.Logging.Abstractions.NullLogger<Migrator>.Instance).Migrate();
        if (Engine == Engine.Sqlite)
        {
            // One self-contained file to copy: the WAL folded back in.
            await using var conn = new Microsoft.Data.Sqlite.SqliteConnection(connectionString);
            await conn.OpenAsync();
            await using var cmd = conn.CreateCommand();
            cmd.CommandText = "PRAGMA wal_checkpoint(TRUNCATE);";
            await cmd.ExecuteNonQueryAsync();
        }
        return template;
    }

    public static async Task DropTemplateAsync()
    {
        if (!Template.IsValueCreated || !Template.Value.IsCompletedSuccessfully) return;
        if (Engine == Engine.Postgres) await AdminAsync($"DROP DATABASE IF EXISTS {Template.Value.Result} WITH (FORCE)");
        else try { Directory.Delete(Path.GetDirectoryName(Template.Value.Result)!, recursive: true); } catch (IOException) { }
    }

    /// <summary>Templates left by test runs that were killed: their process is gone.</summary>
    private static async Task DropStaleTemplatesAsync()
    {
        await using var admin = new NpgsqlConnection(PostgresAdmin);
        await admin.OpenAsync();
        var names = new List<string>();
        await using (var cmd = new NpgsqlCommand("SELECT datname FROM pg_database WHERE datname LIKE 'ballot\\_tpl\\_%'", admin))
        await using (var r = await cmd.ExecuteReaderAsync())
            while (await r.ReadAsync()) names.Add(r.GetString(0));
        foreach (var n in names)
        {
            var pid = int.TryParse(n.Split('_')[2], out var p) ? p : 0;
            if (pid != 0 && !Directory.Exists($"/proc/{pid}"))
            {
                await using var drop = new NpgsqlCommand($"DROP DATABASE IF EXISTS {n} WITH (FORCE)", admin);
                await drop.ExecuteNonQueryAsync();
            }
        }
    }

    private static async Task AdminAsync(string sql)
    {
        await using var admin = new NpgsqlConnection(PostgresAdmin);
        await admin.OpenAsync();
        await using var cmd = new NpgsqlCommand(sql, admin);
        await cmd.ExecuteNonQueryAsync();
    }

    public async ValueTask DisposeAsync()
    {
        if (_pgName is not null)
        {
            NpgsqlConnection.ClearAllPools();
            await AdminAsync($"DROP DATABASE IF EXISTS {_pgName} WITH (FORCE)");
        }
        if (Folder is not null)
        {
            Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
            try { Directory.Delete(Folder, recursive: true); } catch (IOException) { } catch (UnauthorizedAccessException) { }
        }
    }
}
