using Ballot.Core.Data;
using Dapper;
using Microsoft.AspNetCore.Identity;

namespace Ballot.Core.Staff.Accounts;

/// <summary>
/// Identity's store over staff_account with Dapper. UserManager changes the user object through the setters below and
/// then calls <see cref="UpdateAsync"/>, which writes the row back if nobody else changed it meanwhile (concurrency stamp).
/// </summary>
public sealed class StaffUserStore(Db db, TimeProvider clock) :
    IUserPasswordStore<StaffUser>, IUserEmailStore<StaffUser>, IUserSecurityStampStore<StaffUser>, IUserLockoutStore<StaffUser>,
    IUserTwoFactorStore<StaffUser>, IUserAuthenticatorKeyStore<StaffUser>
{
    private const string Columns = """
        id, email, normalized_email AS NormalizedEmail, name, role, status, password_hash AS PasswordHash,
        security_stamp AS SecurityStamp, concurrency_stamp AS ConcurrencyStamp, authenticator_key AS AuthenticatorKey,
        two_factor_enabled_at AS TwoFactorEnabledAt, access_failed_count AS AccessFailedCount, lockout_end AS LockoutEnd,
        created_at AS CreatedAt
        """;

    public void Dispose() { }

    public async Task<IdentityResult> CreateAsync(StaffUser user, CancellationToken ct)
    {
        await using var conn = await db.OpenAsync(ct);
        var taken = await conn.ExecuteScalarAsync<long>("SELECT COUNT(*) FROM staff_account WHERE normalized_email = @NormalizedEmail", new { user.NormalizedEmail });
        if (taken > 0) return IdentityResult.Failed(new IdentityError { Code = "DuplicateEmail", Description = "An account with this email already exists." });
        if (user.CreatedAt == default) user.CreatedAt = clock.GetUtcNow();
        user.Id = await conn.ExecuteScalarAsync<long>("""
            INSERT INTO staff_account (email, normalized_email, name, role, status, password_hash, security_stamp, concurrency_stamp,
                authenticator_key, two_factor_enabled_at, access_failed_count, lockout_end, created_at)
            VALUES (@Email, @NormalizedEmail, @Name, @Role, @Status, @PasswordHash, @SecurityStamp, @ConcurrencyStamp,
                @AuthenticatorKey, @TwoFactorEnabledAt, @AccessFailedCount, @LockoutEnd, @CreatedAt)
            RETURNING id
            """, user);
        return IdentityResult.Success;
    }

    public async Task<IdentityResult> UpdateAsync(StaffUser user, CancellationToken ct)
    {
        var expected = user.ConcurrencyStamp;
        user.ConcurrencyStamp = Guid.NewGuid().ToString();
        await using var conn = await db.OpenAsync(ct);
        var n = await conn.ExecuteAsync("""
            UPDATE staff_account SET email = @Email, normalized_email = @NormalizedEmail, name = @Name, role = @Role, status = @Status,
                password_hash = @PasswordHash, security_stamp = @SecurityStamp, concurrency_stamp = @ConcurrencyStamp,
                authenticator_key = @AuthenticatorKey, two_factor_enabled_at = @TwoFactorEnabledAt,
                access_failed_count = @AccessFailedCount, lockout_end = @LockoutEnd
            WHERE id = @Id AND concurrency_stamp = @expected
            """, new
        {
            user.Email, user.NormalizedEmail, user.Name, user.Role, user.Status, user.PasswordHash, user.SecurityStamp, user.ConcurrencyStamp,
            user.AuthenticatorKey, user.TwoFactorEnabledAt, user.AccessFailedCount, user.LockoutEnd, user.Id, expected,
        });
        if (n == 1) return IdentityResult.Success;
        user.ConcurrencyStamp = expected;
        return IdentityResult.Failed(new IdentityError { Code = "ConcurrencyFailure", Description = "The account was changed at the same time; try again." });
    }

    public Task<IdentityResult> DeleteAsync(StaffUser user, CancellationToken ct) =>
        throw new NotSupportedException("Staff accounts are disabled, never deleted: their history stays.");

    public async Task<StaffUser?> FindByIdAsync(string userId, CancellationToken ct)
    {
        if (!long.TryParse(userId, out var id)) return null;
        await using var conn = await db.OpenAsync(ct);
        return await conn.QuerySingleOrDefaultAsync<StaffUser>($"SELECT {Columns} FROM staff_account WHERE id = @id", new { id });
    }

    public async Task<StaffUser?> FindByNameAsync(string normalizedUserName, CancellationToken ct) => await FindByEmailAsync(normalizedUserName, ct);

    public async Task<StaffUser?> FindByEmailAsync(string normalizedEmail, CancellationToken ct)
    {
        await using var conn = await db.OpenAsync(ct);
        return await conn.QuerySingleOrDefaultAsync<StaffUser>($"SELECT {Columns} FROM staff_account WHERE normalized_email = @normalizedEmail", new { normalizedEmail });
    }

    // The email is the user name: one sign-in identifier.
    public Task<string> GetUserIdAsync(StaffUser user, CancellationToken ct) => Task.FromResult(user.Id.ToString());
    public Task<string?> GetUserNameAsync(StaffUser user, CancellationToken ct) => Task.FromResult<string?>(user.Email);
    public Task SetUserNameAsync(StaffUser user, string? userName, CancellationToken ct) { user.Email = userName ?? ""; return Task.CompletedTask; }
    public Task<string?> GetNormalizedUserNameAsync(StaffUser user, CancellationToken ct) => Task.FromResult<string?>(user.NormalizedEmail);
    public Task SetNormalizedUserNameAsync(StaffUser user, string? normalizedName, CancellationToken ct) { user.NormalizedEmail = normalizedName ?? ""; return Task.CompletedTask; }

    public Task SetEmailAsync(StaffUser user, string? email, CancellationToken ct) { user.Email = email ?? ""; return Task.CompletedTask; }
    public Task<string?> GetEmailAsync(StaffUser user, CancellationToken ct) => Task.FromResult<string?>(user.Email);
    // The invitation link proves the address; an account without one cannot sign in anyway.
    public Task<bool> GetEmailConfirmedAsync(StaffUser user, CancellationToken ct) => Task.FromResult(true);
    public Task SetEmailConfirmedAsync(StaffUser user, bool confirmed, CancellationToken ct) => Task.CompletedTask;
    public Task<string?> GetNormalizedEmailAsync(StaffUser user, CancellationToken ct) => Task.FromResult<string?>(user.NormalizedEmail);
    public Task SetNormalizedEmailAsync(StaffUser user, string? normalizedEmail, CancellationToken ct) { user.NormalizedEmail = normalizedEmail ?? ""; return Task.CompletedTask; }

    public Task SetPasswordHashAsync(StaffUser user, string? passwordHash, CancellationToken ct) { user.PasswordHash = passwordHash; return Task.CompletedTask; }
    public Task<string?> GetPasswordHashAsync(StaffUser user, CancellationToken ct) => Task.FromResult(user.PasswordHash);
    public Task<bool> HasPasswordAsync(StaffUser user, CancellationToken ct) => Task.FromResult(user.PasswordHash is not null);

    public Task SetSecurityStampAsync(StaffUser user, string stamp, CancellationToken ct) { user.SecurityStamp = stamp; return Task.CompletedTask; }
    public Task<string?> GetSecurityStampAsync(StaffUser user, CancellationToken ct) => Task.FromResult<string?>(user.SecurityStamp);

    public Task<DateTimeOffset?> GetLockoutEndDateAsync(StaffUser user, CancellationToken ct) => Task.FromResult(user.LockoutEnd);
    public Task SetLockoutEndDateAsync(StaffUser user, DateTimeOffset? lockoutEnd, CancellationToken ct) { user.LockoutEnd = lockoutEnd; return Task.CompletedTask; }
    public Task<int> IncrementAccessFailedCountAsync(StaffUser user, CancellationToken ct) => Task.FromResult(++user.AccessFailedCount);
    public Task ResetAccessFailedCountAsync(StaffUser user, CancellationToken ct) { user.AccessFailedCount = 0; return Task.CompletedTask; }
    public Task<int> GetAccessFailedCountAsync(StaffUser user, CancellationToken ct) => Task.FromResult(user.AccessFailedCount);
    public Task<bool> GetLockoutEnabledAsync(StaffUser user, CancellationToken ct) => Task.FromResult(true);
    public Task SetLockoutEnabledAsync(StaffUser user, bool enabled, CancellationToken ct) => Task.CompletedTask;

    public Task SetTwoFactorEnabledAsync(StaffUser user, bool enabled, CancellationToken ct)
    {
        user.TwoFactorEnabledAt = enabled ? user.TwoFactorEnabledAt ?? clock.GetUtcNow() : null;
        return Task.CompletedTask;
    }
    public Task<bool> GetTwoFactorEnabledAsync(StaffUser user, CancellationToken ct) => Task.FromResult(user.TwoFactorEnabledAt is not null);

    public Task SetAuthenticatorKeyAsync(StaffUser user, string key, CancellationToken ct) { user.AuthenticatorKey = key; return Task.CompletedTask; }
    public Task<string?> GetAuthenticatorKeyAsync(StaffUser user, CancellationToken ct) => Task.FromResult(user.AuthenticatorKey);
}
