using Microsoft.Extensions.DependencyInjection;

namespace Ballot.Core.Data;

/// <summary>
/// Where a whole path differs between the engines (the register import, the vote store, cast papers, motion search),
/// one class per engine behind one type, chosen here once from the connection string. See ADR 0002.
/// </summary>
public static class PerEngine
{
    public static IServiceCollection AddPerEngine<TService, TSqlite, TPostgres>(this IServiceCollection services)
        where TService : class where TSqlite : class, TService where TPostgres : class, TService =>
        services.AddSingleton<TService>(sp => sp.GetRequiredService<Db>().Engine == Engine.Sqlite
            ? ActivatorUtilities.CreateInstance<TSqlite>(sp)
            : ActivatorUtilities.CreateInstance<TPostgres>(sp));
}
