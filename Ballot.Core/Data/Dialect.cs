using System.Data.Common;
using System.Globalization;
using Dapper;
using Microsoft.Data.Sqlite;
using Npgsql;
using NpgsqlTypes;

namespace Ballot.Core.Data;

/// <summary>
/// What differs between SQLite and PostgreSQL inside a path both engines share: SQL fragments, locks, bulk inserts, the
/// page cache. <see cref="Db"/> picks one from the connection string; code asks <c>db.Dialect</c>, never the engine.
/// Where a whole path differs there is one class per engine instead (<see cref="PerEngine"/>). See ADR 0002.
/// </summary>
public abstract class Dialect
{
    public static readonly Dialect Sqlite = new SqliteDialect(), Postgres = new PostgresDialect();

    public static Dialect For(Engine engine) => engine == Engine.Sqlite ? Sqlite : Postgres;

    /// <summary>
    /// Locks the rows a SELECT reads until the transaction ends. PostgreSQL reads committed rows without locking, so two
    /// transactions could each act on a state the other is changing; SQLite's write transaction (BEGIN IMMEDIATE) already
    /// holds the only write lock.
    /// </summary>
    public abstract string ForUpdate { get; }

    /// <summary>Ends a SELECT that claims rows: on PostgreSQL rows another transaction holds are skipped, not waited for.</summary>
    public abstract string SkipLocked { get; }

    /// <summary>A list parameter: Dapper expands it into IN (...) on SQLite; Npgsql takes it as one array.</summary>
    public abstract string In(string column, string parameter);

    /// <summary>
    /// The expression compared by code point, as the expression indexes of migration 0540 are built: PostgreSQL needs
    /// COLLATE "C" to use them for a range; SQLite's default collation already compares bytes.
    /// </summary>
    public abstract string ByCodePoint(string expression);

    /// <summary>
    /// Serialises the transactions that take the same <paramref name="key"/> until they end: an advisory lock on
    /// PostgreSQL; on SQLite the write transaction already excludes every other writer.
    /// </summary>
    public abstract Task LockAsync(DbConnection conn, DbTransaction tx, long key);

    /// <summary>
    /// SQLite: the connection's page cache, in KiB, until set again. Only on a connection of its own
    /// (<see cref="Db.OpenOwnAsync"/>): SQLite never shrinks a pooled connection's cache (ADR 0212). PostgreSQL: nothing.
    /// </summary>
    public abstract Task SetPageCacheAsync(DbConnection conn, DbTransaction? tx, int kib, CancellationToken ct = default);

    /// <summary>
    /// Whether machinery may keep connections of its own open while idle: a SQLite connection is a file handle;
    /// PostgreSQL connections are a server-wide budget and go back to Npgsql's pool after use.
    /// </summary>
    public abstract bool KeepsIdleConnections { get; }

    /// <summary>
    /// Inserts many rows into <paramref name="table"/> in the transaction: one prepared statement on SQLite, binary COPY
    /// on PostgreSQL. <paramref name="write"/> writes each row's values in the order of <paramref name="columns"/>.
    /// </summary>
    public abstract Task InsertManyAsync<T>(DbConnection conn, DbTransaction tx, string table, IReadOnlyList<string> columns,
        IEnumerable<T> rows, Action<T, IRowWriter> write, CancellationToken ct);

    private sealed class SqliteDialect : Dialect
    {
        public override string ForUpdate => "";
        public override string SkipLocked => "";
        public override string In(string column, string parameter) => $"{column} IN @{parameter}";
        public override string ByCodePoint(string expression) => expression;
        public override Task LockAsync(DbConnection conn, DbTransaction tx, long key) => Task.CompletedTask;
        public override bool KeepsIdleConnections => true;

        public override async Task SetPageCacheAsync(DbConnection conn, DbTransaction? tx, int kib, CancellationToken ct = default) =>
            await conn.ExecuteAsync(new CommandDefinition($"PRAGMA cache_size = -{kib.ToString(CultureInfo.InvariantCulture)}",
                transaction: tx, cancellationToken: ct));

        public override Task InsertManyAsync<T>(DbConnection conn, DbTransaction tx, string table, IReadOnlyList<string> columns,
            IEnumerable<T> rows, Action<T, IRowWriter> write, CancellationToken ct)
        {
            using var cmd = (SqliteCommand)conn.CreateCommand();
            cmd.Transaction = (SqliteTransaction)tx;
            cmd.CommandText = $"INSERT INTO {table} ({string.Join(", ", columns)}) VALUES ({string.Join(", ", columns.Select((_, i) => "$p" + i))})";
            var values = new ParameterRow(columns.Select((_, i) => cmd.Parameters.Add(new SqliteParameter("$p" + i, DBNull.Value))).ToArray());
            cmd.Prepare();
            foreach (var row in rows)
            {
                ct.ThrowIfCancellationRequested();
                values.Start();
                write(row, values);
                values.Finish();
                cmd.ExecuteNonQuery();
            }
            return Task.CompletedTask;
        }

        private sealed class ParameterRow(SqliteParameter[] parameters) : IRowWriter
        {
            private int _next;
            public void Start() => _next = 0;

            public void Finish()
            {
                if (_next != parameters.Length) throw new InvalidOperationException($"A row wrote {_next} of {parameters.Length} columns.");
            }

            public void Write(long value) => parameters[_next++].Value = value;
            public void Write(int value) => parameters[_next++].Value = value;
            public void Write(string? value) => parameters[_next++].Value = (object?)value ?? DBNull.Value;
            public void Write(DateTimeOffset value) => parameters[_next++].Value = DapperSetup.ToSqliteText(value);
        }
    }

    private sealed class PostgresDialect : Dialect
    {
        public override string ForUpdate => " FOR UPDATE";
        public override string SkipLocked => " FOR UPDATE SKIP LOCKED";
        public override string In(string column, string parameter) => $"{column} = ANY(@{parameter})";
        public override string ByCodePoint(string expression) => expression + " COLLATE \"C\"";
        public override bool KeepsIdleConnections => false;
        public override Task SetPageCacheAsync(DbConnection conn, DbTransaction? tx, int kib, CancellationToken ct = default) => Task.CompletedTask;

        public override async Task LockAsync(DbConnection conn, DbTransaction tx, long key) =>
            await conn.ExecuteAsync($"SELECT pg_advisory_xact_lock({key.ToString(CultureInfo.InvariantCulture)})", transaction: tx);

        /// <remarks>Synchronous writes: they only fill Npgsql's buffer, and millions of awaits cost more than the rare
        /// flush they would spare a thread (ADR 0811).</remarks>
        public override async Task InsertManyAsync<T>(DbConnection conn, DbTransaction tx, string table, IReadOnlyList<string> columns,
            IEnumerable<T> rows, Action<T, IRowWriter> write, CancellationToken ct)
        {
            await using var copy = await ((NpgsqlConnection)conn).BeginBinaryImportAsync(
                $"COPY {table} ({string.Join(", ", columns)}) FROM STDIN (FORMAT BINARY)", ct);
            var values = new CopyRow(copy);
            foreach (var row in rows)
            {
                copy.StartRow();
                write(row, values);
            }
            await copy.CompleteAsync(ct);
        }

        private sealed class CopyRow(NpgsqlBinaryImporter copy) : IRowWriter
        {
            public void Write(long value) => copy.Write(value, NpgsqlDbType.Bigint);
            public void Write(int value) => copy.Write(value, NpgsqlDbType.Integer);

            public void Write(string? value)
            {
                if (value is null) copy.WriteNull();
                else copy.Write(value, NpgsqlDbType.Text);
            }

            public void Write(DateTimeOffset value) => copy.Write(value, NpgsqlDbType.TimestampTz);
        }
    }
}

/// <summary>One row of <see cref="Dialect.InsertManyAsync"/>: its values in column order.</summary>
public interface IRowWriter
{
    void Write(long value);
    void Write(int value);
    void Write(string? value);
    void Write(DateTimeOffset value);
}
