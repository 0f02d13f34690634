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

    public static async Task<TestDatabase> CreateAsync()
    {
        var folder = Path.Combine(Path.GetTempPath(), "ballot-tests", Guid.NewGuid().ToString("N")[..12]);
        Directory.CreateDirectory(folder);
        if (Engine == Engine.Sqlite)
            return new TestDatabase($"Data Source={Path.Combine(folder, "ballot.db")}", folder, null);

        var name = "ballot_t_" + Guid.NewGuid().ToString("N")[..12];
        await using (var admin = new NpgsqlConnection(PostgresAdmin))
        {
            await admin.OpenAsync();
            await using var cmd = new NpgsqlCommand($"CREATE DATABASE {name}", admin);
            await cmd.ExecuteNonQueryAsync();
        }
        var csb = new NpgsqlConnectionStringBuilder(PostgresAdmin) { Database = name, Pooling = true };
        return new TestDatabase(csb.ConnectionString, folder, name);
    }

    public async ValueTask DisposeAsync()
    {
        if (_pgName is not null)
        {
            NpgsqlConnection.ClearAllPools();
            await using var admin = new NpgsqlConnection(PostgresAdmin);
            await admin.OpenAsync();
            await using var cmd = new NpgsqlCommand($"DROP DATABASE IF EXISTS {_pgName} WITH (FORCE)", admin);
            await cmd.ExecuteNonQueryAsync();
        }
        if (Folder is not null)
        {
            Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
            try { Directory.Delete(Folder, recursive: true); } catch (IOException) { } catch (UnauthorizedAccessException) { }
        }
    }
}
