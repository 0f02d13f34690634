using System.Data.Common;
using NpgsqlTypes;

namespace Ballot.Core.Members.Import;

/// <summary>
/// Writes an import's new workplaces and new or changed members. The whole path differs between the engines (prepared
/// statements in one transaction on SQLite; arrays and binary COPY on PostgreSQL), so there is one class per engine,
/// chosen once at start-up (<see cref="MembersSetup"/>, ADR 0811). Both build their statements from <see cref="MemberColumns"/>.
/// </summary>
internal interface IRegisterWriter
{
    /// <summary>Inserts the workplaces and returns their ids by (name, employer).</summary>
    Task<IReadOnlyDictionary<(string Name, string Employer), long>> AddWorkplacesAsync(DbConnection conn, DbTransaction tx,
        IReadOnlyList<NewWorkplace> workplaces, CancellationToken ct);

    Task SetRegionsAsync(DbConnection conn, DbTransaction tx, IReadOnlyList<(long Id, string Region)> changes, CancellationToken ct);

    Task WriteMembersAsync(DbConnection conn, DbTransaction tx, IReadOnlyList<ImportMembers.Change> inserts,
        IReadOnlyList<ImportMembers.Change> updates, DateTimeOffset now, CancellationToken ct);
}

internal sealed record NewWorkplace(string Name, string Employer, string Region);

/// <summary>
/// The member columns an import writes, in one list both writers read: a new column of the register is one line here
/// (and its field on <see cref="ImportMembers.Row"/>). created_at, updated_at and erased_at are set by the writers.
/// </summary>
internal static class MemberColumns
{
    public sealed record Column(string Name, NpgsqlDbType PgType, Func<ImportMembers.Change, object?> Value);

    public static readonly IReadOnlyList<Column> All =
    [
        new("membership_number", NpgsqlDbType.Text, c => c.Row.Number),
        new("first_name", NpgsqlDbType.Text, c => c.Row.First),
        new("last_name", NpgsqlDbType.Text, c => c.Row.Last),
        new("email", NpgsqlDbType.Text, c => c.Row.Email),
        new("workplace_id", NpgsqlDbType.Bigint, c => c.WorkplaceId),
        new("category", NpgsqlDbType.Text, c => c.Row.Category),
        new("status", NpgsqlDbType.Text, c => c.Status),
        new("address_line1", NpgsqlDbType.Text, c => c.Home.Line1),
        new("address_line2", NpgsqlDbType.Text, c => c.Home.Line2),
        new("address_line3", NpgsqlDbType.Text, c => c.Home.Line3),
        new("town", NpgsqlDbType.Text, c => c.Home.Town),
        new("postcode", NpgsqlDbType.Text, c => c.Home.Postcode),
        new("email_kind", NpgsqlDbType.Text, c => c.EmailKind),
    ];

    public static string Names => string.Join(", ", All.Select(c => c.Name));
}
