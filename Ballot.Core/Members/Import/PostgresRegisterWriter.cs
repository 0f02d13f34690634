using System.Data.Common;
using Dapper;
using Npgsql;
using NpgsqlTypes;

namespace Ballot.Core.Members.Import;

/// <summary>
/// PostgreSQL: every statement is one round trip however many rows it carries. Workplaces go in as arrays through
/// <c>unnest</c>, members by binary COPY (changed members into a temporary table first, then one UPDATE … FROM).
/// 25,000 new workplaces one INSERT at a time cost 25,000 round trips: seconds on a loaded machine (ADR 0811).
/// </summary>
internal sealed class PostgresRegisterWriter : IRegisterWriter
{
    private sealed record Inserted(long Id, string Name, string Employer);

    public async Task<IReadOnlyDictionary<(string Name, string Employer), long>> AddWorkplacesAsync(DbConnection conn, DbTransaction tx,
        IReadOnlyList<NewWorkplace> workplaces, CancellationToken ct)
    {
        if (workplaces.Count == 0) return new Dictionary<(string, string), long>();
        var rows = await conn.QueryAsync<Inserted>(new CommandDefinition("""
            INSERT INTO workplace (name, employer, region)
            SELECT * FROM unnest(@names::text[], @employers::text[], @regions::text[])
            RETURNING id, name, employer
            """, new
        {
            names = workplaces.Select(w => w.Name).ToArray(),
            employers = workplaces.Select(w => w.Employer).ToArray(),
            regions = workplaces.Select(w => w.Region).ToArray(),
        }, tx, cancellationToken: ct));
        return rows.ToDictionary(r => (r.Name, r.Employer), r => r.Id);
    }

    public async Task SetRegionsAsync(DbConnection conn, DbTransaction tx, IReadOnlyList<(long Id, string Region)> changes, CancellationToken ct)
    {
        if (changes.Count == 0) return;
        await conn.ExecuteAsync(new CommandDefinition("""
            UPDATE workplace w SET region = u.region
            FROM unnest(@ids::bigint[], @regions::text[]) AS u(id, region) WHERE w.id = u.id
            """, new { ids = changes.Select(c => c.Id).ToArray(), regions = changes.Select(c => c.Region).ToArray() }, tx, cancellationToken: ct));
    }

    public async Task WriteMembersAsync(DbConnection conn, DbTransaction tx, IReadOnlyList<ImportMembers.Change> inserts,
        IReadOnlyList<ImportMembers.Change> updates, DateTimeOffset now, CancellationToken ct)
    {
        var pg = (NpgsqlConnection)conn;
        var columns = MemberColumns.All;
        if (inserts.Count > 0)
        {
            var rebuild = await SetAsideIndexesAsync(conn, tx, inserts.Count, ct);
            await CopyAsync(pg, $"COPY member ({MemberColumns.Names}, created_at, updated_at) FROM STDIN (FORMAT BINARY)", inserts, ct,
                (w, _) => w.TimestampTz(now), (w, _) => w.TimestampTz(now));
            foreach (var definition in rebuild)
                await conn.ExecuteAsync(new CommandDefinition(definition, transaction: tx, cancellationToken: ct));
        }
        if (updates.Count > 0)
        {
            var types = string.Join(", ", columns.Select(c => $"{c.Name} {(c.PgType == NpgsqlDbType.Bigint ? "bigint" : "text")}"));
            await conn.ExecuteAsync(new CommandDefinition($"CREATE TEMP TABLE member_import ({types}, id bigint) ON COMMIT DROP", transaction: tx, cancellationToken: ct));
            await CopyAsync(pg, $"COPY member_import ({MemberColumns.Names}, id) FROM STDIN (FORMAT BINARY)", updates, ct,
                (w, c) => w.Int64(c.Id));
            await conn.ExecuteAsync(new CommandDefinition($"""
                UPDATE member m SET {string.Join(", ", columns.Select(c => $"{c.Name} = i.{c.Name}"))}, erased_at = NULL, updated_at = @now
                FROM member_import i WHERE m.id = i.id
                """, new { now }, tx, cancellationToken: ct));
        }
    }

    /// <summary>
    /// When an import at least doubles the register (the first load of a union), every index of the member table is set
    /// aside for the COPY and built again after it, in the same transaction: one sort per index instead of 450,000
    /// inserts into each (ADR 0821, 0911). The key and the unique membership number are among them (their constraints are
    /// added again after the COPY, which checks every row at once), so the foreign keys that point at the key are dropped
    /// and added again too (which checks their rows). Dropping takes the exclusive lock of the member table and of those
    /// tables (mail opt-outs, member changes) until the import commits: for those seconds nothing else writes or reads
    /// them, once. A duplicate (which the parse and the comparison with the register rule out) would fail the constraint
    /// and roll the whole import back.
    /// Returns the statements that build them again, none when the import is small beside the register.
    /// </summary>
    private static async Task<IReadOnlyList<string>> SetAsideIndexesAsync(DbConnection conn, DbTransaction tx, int inserts, CancellationToken ct)
    {
        if (inserts < RebuildIndexesFrom) return [];
        var members = await conn.ExecuteScalarAsync<long>(new CommandDefinition("SELECT count(*) FROM member", transaction: tx, cancellationToken: ct));
        if (inserts < members) return [];
        // The key, the unique constraints and the foreign keys that point at the key, then the plain indexes. Built again
        // in the opposite order: the key before the foreign keys that need it.
        var constraints = (await conn.QueryAsync<(string Table, string Name, string Kind, string Definition)>(new CommandDefinition("""
            SELECT conrelid::regclass::text, conname, contype::text, pg_get_constraintdef(oid) FROM pg_constraint
            WHERE (conrelid = 'member'::regclass AND contype IN ('p', 'u')) OR (confrelid = 'member'::regclass AND contype = 'f')
            ORDER BY contype = 'f' DESC, contype = 'u', conrelid::regclass::text, conname
            """, transaction: tx, cancellationToken: ct))).AsList();
        var indexes = (await conn.QueryAsync<(string Name, string Definition)>(new CommandDefinition("""
            SELECT c.relname, pg_get_indexdef(i.indexrelid) FROM pg_index i JOIN pg_class c ON c.oid = i.indexrelid
            WHERE i.indrelid = 'member'::regclass
              AND NOT EXISTS (SELECT 1 FROM pg_constraint k WHERE k.conindid = i.indexrelid AND k.conrelid = 'member'::regclass)
            ORDER BY c.relname
            """, transaction: tx, cancellationToken: ct))).AsList();
        foreach (var (table, name, _, _) in constraints)
            await conn.ExecuteAsync(new CommandDefinition($"ALTER TABLE {table} DROP CONSTRAINT {name}", transaction: tx, cancellationToken: ct));
        if (indexes.Count > 0)
            await conn.ExecuteAsync(new CommandDefinition($"DROP INDEX {string.Join(", ", indexes.Select(i => i.Name))}", transaction: tx, cancellationToken: ct));
        static string Add((string Table, string Name, string Kind, string Definition) c) => $"ALTER TABLE {c.Table} ADD CONSTRAINT {c.Name} {c.Definition}";
        return [.. constraints.Where(c => c.Kind != "f").Select(Add), .. indexes.Select(i => i.Definition), .. constraints.Where(c => c.Kind == "f").Select(Add)];
    }

    /// <summary>Below this many new members, inserting into the indexes costs less than building them again.</summary>
    internal const int RebuildIndexesFrom = 20_000;

    /// <summary>The rows through binary COPY: <see cref="MemberColumns.All"/>, then one field from each of <paramref name="tail"/>.</summary>
    private static async Task CopyAsync(NpgsqlConnection conn, string copy, IReadOnlyList<ImportMembers.Change> rows, CancellationToken ct,
        params Action<BinaryCopyRows, ImportMembers.Change>[] tail)
    {
        var columns = MemberColumns.All;
        await using var w = await BinaryCopyRows.BeginAsync(conn, copy, ct);
        foreach (var c in rows)
        {
            w.StartRow(columns.Count + tail.Length);
            foreach (var col in columns)
            {
                switch (col.Value(c))
                {
                    case null: w.Null(); break;
                    case string text: w.Text(text); break;
                    case long number: w.Int64(number); break;
                    case var v: throw new InvalidOperationException($"Column {col.Name} holds a {v.GetType().Name}, which the COPY does not write.");
                }
            }
            foreach (var field in tail) field(w, c);
        }
        await w.CompleteAsync(ct);
    }
}
