using System.Data;
using System.Globalization;
using Dapper;

namespace Ballot.Core.Data;

/// <summary>
/// Times are stored as UTC: ISO-8601 text on SQLite (so they sort as text), timestamptz on PostgreSQL.
/// </summary>
public static class DapperSetup
{
    private static int _done;

    public static void Once()
    {
        if (Interlocked.Exchange(ref _done, 1) == 1) return;
        // Dapper's built-in type map wins over type handlers for the types it knows, so without this a DateTimeOffset
        // parameter skips the handler and Microsoft.Data.Sqlite writes it as "yyyy-MM-dd HH:mm:ss.FFFFFFFzzz" with the
        // caller's offset kept, which does not compare as text against stored UTC times (and Npgsql refuses a non-zero
        // offset for timestamptz). Removed from the map, every time parameter goes through Set below, on both engines.
        SqlMapper.RemoveTypeMap(typeof(DateTimeOffset));
        SqlMapper.RemoveTypeMap(typeof(DateTimeOffset?));
        SqlMapper.AddTypeHandler(new DateTimeOffsetHandler());
        SqlMapper.AddTypeHandler(new NullableDateTimeOffsetHandler());
        DefaultTypeMap.MatchNamesWithUnderscores = true;
    }

    public static string ToSqliteText(DateTimeOffset value) =>
        value.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss.fffffff'Z'", CultureInfo.InvariantCulture);

    internal static void Set(IDbDataParameter parameter, DateTimeOffset value)
    {
        if (parameter is Npgsql.NpgsqlParameter)
        {
            parameter.DbType = DbType.DateTimeOffset;
            parameter.Value = value.ToUniversalTime();
        }
        else
        {
            parameter.DbType = DbType.String;
            parameter.Value = ToSqliteText(value);
        }
    }

    internal static DateTimeOffset Parse(object value) => value switch
    {
        DateTimeOffset d => d.ToUniversalTime(),
        DateTime dt => new DateTimeOffset(DateTime.SpecifyKind(dt, DateTimeKind.Utc)),
        string s => DateTimeOffset.Parse(s, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal | DateTimeStyles.AdjustToUniversal),
        _ => throw new DataException($"Cannot read {value.GetType().Name} as a time"),
    };

    private sealed class DateTimeOffsetHandler : SqlMapper.TypeHandler<DateTimeOffset>
    {
        public override void SetValue(IDbDataParameter parameter, DateTimeOffset value) => Set(parameter, value);
        public override DateTimeOffset Parse(object value) => DapperSetup.Parse(value);
    }

    private sealed class NullableDateTimeOffsetHandler : SqlMapper.TypeHandler<DateTimeOffset?>
    {
        public override void SetValue(IDbDataParameter parameter, DateTimeOffset? value)
        {
            if (value is null) parameter.Value = DBNull.Value;
            else Set(parameter, value.Value);
        }

        public override DateTimeOffset? Parse(object value) => value is null or DBNull ? null : DapperSetup.Parse(value);
    }
}
