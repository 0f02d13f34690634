using System.Data.Common;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.Options;
using Npgsql;

namespace Ballot.Core.Data;

/// <summary>The one place connections come from. Handlers open, use and dispose a connection per request.</summary>
public sealed class Db
{
    private readonly string _connectionString;
    private readonly string _ownConnectionString = "";
    private readonly int _busyTimeoutMs;
    private readonly NpgsqlDataSource? _pg;

    public Db(IOptions<DatabaseOptions> options)
    {
        var o = options.Value;
        Engine = DetectEngine(o.ConnectionString);
        Dialect = Dialect.For(Engine);
        _busyTimeoutMs = o.BusyTimeoutMs;
        if (Engine == Engine.Sqlite)
        {
            var csb = new SqliteConnectionStringBuilder(o.ConnectionString) { Pooling = true, ForeignKeys = true };
            var file = csb.DataSource;
            if (!string.IsNullOrEmpty(file) && file != ":memory:")
            {
                var dir = Path.GetDirectoryName(Path.GetFullPath(file));
                if (!string.IsNullOrEmpty(dir)) Directory.CreateDirectory(dir);
                DataFolder = dir;
            }
            _connectionString = csb.ConnectionString;
            _ownConnectionString = new SqliteConnectionStringBuilder(_connectionString) { Pooling = false }.ConnectionString;
        }
        else
        {
            _connectionString = o.ConnectionString;
            _pg = new NpgsqlDataSourceBuilder(WithAutoPrepare(o.ConnectionString)).Build();
        }
    }

    /// <summary>
    /// PostgreSQL plans an unprepared statement every time it runs: 1–3 ms for a search's CTEs, more than the search
    /// itself. Npgsql prepares a statement on a connection once it has run there twice and keeps the most used ones
    /// (issue 15); a connection string that sets these itself keeps its own values.
    /// </summary>
    internal static string WithAutoPrepare(string connectionString)
    {
        // NpgsqlConnectionStringBuilder.ContainsKey says whether a keyword exists at all, not whether it was given: the
        // plain builder reads the string as written.
        var given = new System.Data.Common.DbConnectionStringBuilder { ConnectionString = connectionString };
        if (given.ContainsKey("Max Auto Prepare") || given.ContainsKey("MaxAutoPrepare")) return connectionString;
        return new NpgsqlConnectionStringBuilder(connectionString) { MaxAutoPrepare = 64 }.ConnectionString;
    }

    public Engine Engine { get; }
    public Dialect Dialect { get; }
    public string ConnectionString => _connectionString;

    /// <summary>Folder holding the SQLite file (null on PostgreSQL); key files live beside it.</summary>
    public string? DataFolder { get; }

    public static Engine DetectEngine(string connectionString)
    {
        var s = connectionString.TrimStart();
        if (s.StartsWith("Host=", StringComparison.OrdinalIgnoreCase)
            || s.Contains(";Host=", StringComparison.OrdinalIgnoreCase)
            || s.StartsWith("Server=", StringComparison.OrdinalIgnoreCase)
            || s.StartsWith("postgres", StringComparison.OrdinalIgnoreCase))
            return Engine.Postgres;
        return Engine.Sqlite;
    }

    public Task<DbConnection> OpenAsync(CancellationToken ct = default) => OpenAsync(_connectionString, ct);

    /// <summary>
    /// SQLite: a connection of its own, never taken from or returned to the pool. For long-lived connections and for
    /// one that raises its page cache: SQLite never shrinks a connection's page-cache hash table, and walks all of it
    /// each time the cache is emptied or trimmed (every commit, and every read after another connection's commit), so
    /// a pooled connection that once held 256 MB of pages costs every later user of it dearly (ADR 0212).
    /// PostgreSQL: the same as <see cref="OpenAsync(CancellationToken)"/>.
    /// </summary>
    public Task<DbConnection> OpenOwnAsync(CancellationToken ct = default) => OpenAsync(_ownConnectionString, ct);

    private async Task<DbConnection> OpenAsync(string connectionString, CancellationToken ct)
    {
        if (_pg is not null) return await _pg.OpenConnectionAsync(ct);
        var conn = new SqliteConnection(connectionString);
        await conn.OpenAsync(ct);
        await using var cmd = conn.CreateCommand();
        // Per connection: the API and the worker share one file; synchronous=FULL makes a commit durable.
        cmd.CommandText = $"PRAGMA busy_timeout = {_busyTimeoutMs}; PRAGMA synchronous = FULL;";
        await cmd.ExecuteNonQueryAsync(ct);
        return conn;
    }

    public DbConnection Open()
    {
        if (_pg is not null) return _pg.OpenConnection();
        var conn = new SqliteConnection(_connectionString);
        conn.Open();
        using var cmd = conn.CreateCommand();
        cmd.CommandText = $"PRAGMA busy_timeout = {_busyTimeoutMs}; PRAGMA synchronous = FULL;";
        cmd.ExecuteNonQuery();
        return conn;
    }

    /// <summary>
    /// Begins a write transaction. On SQLite it takes the write lock at once (BEGIN IMMEDIATE)
    /// so two writers queue on busy_timeout instead of failing on lock upgrade.
    /// </summary>
    public async Task<DbTransaction> BeginWriteAsync(DbConnection conn, CancellationToken ct = default)
    {
        if (conn is SqliteConnection sqlite)
            return sqlite.BeginTransaction(deferred: false);
        return await conn.BeginTransactionAsync(ct);
    }
}
