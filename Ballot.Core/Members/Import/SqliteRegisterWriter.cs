using System.Data.Common;
using Ballot.Core.Data;
using Dapper;
using Microsoft.Data.Sqlite;

namespace Ballot.Core.Members.Import;

/// <summary>SQLite: one prepared statement per kind of row, executed row by row in the import's transaction (in process, so no round trips).</summary>
internal sealed class SqliteRegisterWriter : IRegisterWriter
{
    public async Task<IReadOnlyDictionary<(string Name, string Employer), long>> AddWorkplacesAsync(DbConnection conn, DbTransaction tx,
        IReadOnlyList<NewWorkplace> workplaces, CancellationToken ct)
    {
        var ids = new Dictionary<(string, string), long>();
        if (workplaces.Count == 0) return ids;
        await using var cmd = conn.CreateCommand();
        cmd.Transaction = tx;
        cmd.CommandText = "INSERT INTO workplace (name, employer, region) VALUES ($n, $e, $r) RETURNING id";
        var (n, e, r) = (cmd.AddParameter("$n"), cmd.AddParameter("$e"), cmd.AddParameter("$r"));
        cmd.Prepare();
        foreach (var w in workplaces)
        {
            (n.Value, e.Value, r.Value) = (w.Name, w.Employer, w.Region);
            ids[(w.Name, w.Employer)] = (long)(await cmd.ExecuteScalarAsync(ct))!;
        }
        return ids;
    }

    public async Task SetRegionsAsync(DbConnection conn, DbTransaction tx, IReadOnlyList<(long Id, string Region)> changes, CancellationToken ct)
    {
        foreach (var (id, region) in changes)
            await conn.ExecuteAsync("UPDATE workplace SET region = @region WHERE id = @id", new { region, id }, tx);
    }

    public async Task WriteMembersAsync(DbConnection conn, DbTransaction tx, IReadOnlyList<ImportMembers.Change> inserts,
        IReadOnlyList<ImportMembers.Change> updates, DateTimeOffset now, CancellationToken ct)
    {
        var stamp = DapperSetup.ToSqliteText(now);
        var columns = MemberColumns.All;
        if (inserts.Count > 0)
        {
            await using var ins = conn.CreateCommand();
            ins.Transaction = tx;
            ins.CommandText = $"INSERT INTO member ({MemberColumns.Names}, created_at, updated_at) VALUES ({string.Join(", ", columns.Select((_, i) => $"$p{i}"))}, $t, $t)";
            var p = columns.Select((_, i) => ins.AddParameter($"$p{i}")).ToArray();
            ins.AddParameter("$t", stamp);
            ins.Prepare();
            foreach (var c in inserts)
            {
                for (var i = 0; i < p.Length; i++) p[i].Value = columns[i].Value(c) ?? DBNull.Value;
                await ins.ExecuteNonQueryAsync(ct);
            }
        }
        if (updates.Count > 0)
        {
            await using var upd = conn.CreateCommand();
            upd.Transaction = tx;
            upd.CommandText = $"UPDATE member SET {string.Join(", ", columns.Select((c, i) => $"{c.Name} = $p{i}"))}, erased_at = NULL, updated_at = $t WHERE id = $id";
            var p = columns.Select((_, i) => upd.AddParameter($"$p{i}")).ToArray();
            upd.AddParameter("$t", stamp);
            var id = upd.AddParameter("$id");
            upd.Prepare();
            foreach (var c in updates)
            {
                for (var i = 0; i < p.Length; i++) p[i].Value = columns[i].Value(c) ?? DBNull.Value;
                id.Value = c.Id;
                await upd.ExecuteNonQueryAsync(ct);
            }
        }
    }
}
