using System.Data.Common;

namespace Ballot.Core.Data;

/// <summary>Raw ADO.NET commands, where a statement is prepared once and run many times or read column by column.</summary>
public static class Commands
{
    /// <summary>Adds a named parameter (null means SQL NULL until the caller sets it) and returns it for rebinding.</summary>
    public static DbParameter AddParameter(this DbCommand cmd, string name, object? value = null)
    {
        var p = cmd.CreateParameter();
        p.ParameterName = name;
        p.Value = value ?? DBNull.Value;
        cmd.Parameters.Add(p);
        return p;
    }
}
