using Ballot.Core.Data;

namespace Ballot.Core.Ballots;

/// <summary>
/// Time parameters for ballot SQL. Dapper does not route DateTimeOffset parameters through custom type handlers, so
/// on SQLite they would be written in Microsoft.Data.Sqlite's own format ("2026-09-07 09:00:00+00:00"), which does not
/// sort against the ISO text ("2026-09-07T09:00:00.0000000Z") written elsewhere. Every ballot time goes in as ISO UTC
/// text on SQLite and as a UTC timestamptz on PostgreSQL, so comparisons in SQL are always like with like.
/// </summary>
public static class Times
{
    public static object Param(this Db db, DateTimeOffset t) =>
        db.Engine == Engine.Sqlite ? DapperSetup.ToSqliteText(t) : t.ToUniversalTime();

    public static object? Param(this Db db, DateTimeOffset? t) => t is { } v ? db.Param(v) : null;
}
