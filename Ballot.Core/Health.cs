using Ballot.Core.Data;
using Dapper;
using MediatR;

namespace Ballot.Core;

public static class CheckHealth
{
    public sealed record Query : IRequest<Report>;

    public sealed record Report(bool Healthy, string Engine, bool DatabaseReachable, int MigrationsApplied, IReadOnlyList<string> MigrationsPending, string? Error);

    public sealed class Handler(Db db, Migrator migrator) : IRequestHandler<Query, Report>
    {
        public async Task<Report> Handle(Query q, CancellationToken ct)
        {
            var engine = db.Engine.ToString().ToLowerInvariant();
            try
            {
                await using var conn = await db.OpenAsync(ct);
                await conn.ExecuteScalarAsync<int>("SELECT 1");
                var applied = (await conn.QueryAsync<string>("SELECT scriptname FROM schema_versions")).ToHashSet();
                var pending = migrator.AllScripts().Where(s => !applied.Contains(s)).ToList();
                return new Report(pending.Count == 0, engine, true, applied.Count, pending, null);
            }
            catch (Exception ex) when (ex is System.Data.Common.DbException or InvalidOperationException or TimeoutException)
            {
                return new Report(false, engine, false, 0, [], "The database cannot be reached.");
            }
        }
    }
}
