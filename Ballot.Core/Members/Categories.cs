using Ballot.Core.Data;
using Dapper;

namespace Ballot.Core.Members;

public static class Categories
{
    public static async Task<HashSet<string>> LoadAsync(System.Data.Common.DbConnection conn) =>
        (await conn.QueryAsync<string>("SELECT code FROM member_category")).ToHashSet(StringComparer.Ordinal);

    /// <summary>
    /// Every way a membership system writes a category, to its code: the code or the label, in any case, with spaces,
    /// hyphens or underscores alike ("Support staff", "SUPPORT STAFF", "support-staff", "support_staff").
    /// </summary>
    public static async Task<Dictionary<string, string>> LoadNamesAsync(System.Data.Common.DbConnection conn)
    {
        var names = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var (code, label) in await conn.QueryAsync<(string, string)>("SELECT code, label FROM member_category"))
        {
            names.TryAdd(Key(code), code);
            names.TryAdd(Key(label), code);
        }
        return names;
    }

    public static string Key(string name) =>
        string.Join(' ', name.ToLowerInvariant().Split([' ', '-', '_', '\t'], StringSplitOptions.RemoveEmptyEntries));

    public static readonly string[] Statuses = ["active", "lapsed"];
}
