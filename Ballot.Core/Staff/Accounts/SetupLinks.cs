using System.Data.Common;
using Ballot.Core.Data;
using Dapper;

namespace Ballot.Core.Staff.Accounts;

/// <summary>
/// One-time links that let a person choose a password and set up their authenticator. The link carries 256 random
/// bits; only their SHA-256 is stored (as for API tokens), so a copy of the database cannot be used to take an account.
/// </summary>
public static class SetupLinks
{
    public static async Task<string> IssueAsync(DbConnection conn, DbTransaction? tx, long accountId, DateTimeOffset now, TimeSpan lifetime)
    {
        // A new link replaces any earlier one still open.
        await conn.ExecuteAsync("UPDATE staff_setup_link SET used_at = @now WHERE account_id = @accountId AND used_at IS NULL", new { accountId, now }, tx);
        var token = TokenHash.Base64Url(System.Security.Cryptography.RandomNumberGenerator.GetBytes(32));
        await conn.ExecuteAsync("""
            INSERT INTO staff_setup_link (account_id, token_hash, created_at, expires_at) VALUES (@accountId, @hash, @now, @expires)
            """, new { accountId, hash = TokenHash.Of(token), now, expires = now + lifetime }, tx);
        return token;
    }

    /// <summary>The account a usable link belongs to, or null: unknown, used or expired links look alike.</summary>
    public static async Task<long?> FindAsync(DbConnection conn, string token, DateTimeOffset now)
    {
        if (token.Length is < 20 or > 100) return null;
        return await conn.QuerySingleOrDefaultAsync<long?>("""
            SELECT l.account_id FROM staff_setup_link l JOIN staff_account a ON a.id = l.account_id
            WHERE l.token_hash = @hash AND l.used_at IS NULL AND l.expires_at > @now AND a.status <> 'disabled'
            """, new { hash = TokenHash.Of(token), now });
    }

    public static string Path(string token) => $"/set-up/{token}";
}
