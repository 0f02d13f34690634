using Ballot.Core.Data;
using Dapper;

namespace Ballot.Core.Members;

public static class Categories
{
    public static async Task<HashSet<string>> LoadAsync(System.Data.Common.DbConnection conn) =>
        (await conn.QueryAsync<string>("SELECT code FROM member_category")).ToHashSet(StringComparer.Ordinal);

    public static readonly string[] Statuses = ["active", "lapsed"];
}
