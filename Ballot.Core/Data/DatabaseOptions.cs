using System.ComponentModel.DataAnnotations;

namespace Ballot.Core.Data;

/// <summary>Bound from the "Database" section. The engine follows from the connection string.</summary>
public sealed class DatabaseOptions
{
    public const string Section = "Database";

    /// <summary>
    /// "Data Source=data/ballot.db" picks SQLite; "Host=...;Database=..." picks PostgreSQL.
    /// </summary>
    [Required]
    public string ConnectionString { get; set; } = "Data Source=data/ballot.db";

    /// <summary>SQLite only: how long a writer waits for a lock held by the other process.</summary>
    [Range(100, 600_000)]
    public int BusyTimeoutMs { get; set; } = 10_000;
}

public enum Engine { Sqlite, Postgres }
