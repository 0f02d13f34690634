namespace Ballot.Core.Data;

/// <summary>The SQL that differs between SQLite and PostgreSQL, and nothing else.</summary>
public sealed record Dialect(Engine Engine)
{
    public static Dialect For(Engine engine) => new(engine);

    public bool IsSqlite => Engine == Engine.Sqlite;

    /// <summary>Case-insensitive LIKE.</summary>
    public string ILike => IsSqlite ? "LIKE" : "ILIKE";

    /// <summary>String concatenation works with || in both; kept here for completeness of the list.</summary>
    public string Concat(params string[] parts) => string.Join(" || ", parts);

    /// <summary>LIMIT/OFFSET is shared; named for readability at call sites.</summary>
    public string Page(string limitParam, string offsetParam) => $"LIMIT {limitParam} OFFSET {offsetParam}";

    /// <summary>
    /// Locks the rows a SELECT reads until the transaction ends. PostgreSQL reads committed rows without locking, so two
    /// transactions could each act on a state the other is changing; SQLite's write transaction (BEGIN IMMEDIATE) already
    /// holds the only write lock.
    /// </summary>
    public string ForUpdate => IsSqlite ? "" : " FOR UPDATE";
}
