using System.Data.Common;
using Dapper;

namespace Ballot.Core.Staff.Accounts;

/// <summary>Who changes an account: a signed-in person, or the command line (which has no account).</summary>
public sealed record Actor(long? AccountId, string Name)
{
    public static readonly Actor CommandLine = new(null, "command line");
}

public static class AccountEvents
{
    public static Task RecordAsync(DbConnection conn, DbTransaction? tx, long accountId, Actor actor, string action, string? detail, DateTimeOffset now) =>
        conn.ExecuteAsync("""
            INSERT INTO staff_account_event (account_id, actor_id, actor, action, detail, at)
            VALUES (@accountId, @actorId, @actor, @action, @detail, @now)
            """, new { accountId, actorId = actor.AccountId, actor = actor.Name, action, detail, now }, tx);
}
