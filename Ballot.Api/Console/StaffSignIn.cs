using Ballot.Core.Staff.Accounts;
using Microsoft.AspNetCore.Identity;

namespace Ballot.Api.StaffConsole;

/// <summary>
/// Password, then authenticator code, through Identity's SignInManager (lockout included). Every failure looks the
/// same, and an unknown email costs the same password hashing as a known one, so neither the answer nor its timing
/// says whether an email has an account.
/// </summary>
public sealed class StaffSignIn(StaffSignInManager signIn, UserManager<StaffUser> users)
{
    public enum Outcome { SignedIn, NeedsCode, Refused }

    public const string Refusal = "The email address, password or code is not right, or the account is locked for a while after too many attempts.";

    private static readonly StaffUser Nobody = new() { Email = "nobody@invalid" };
    private static string? _dummyHash;

    public async Task<Outcome> PasswordAsync(string email, string password)
    {
        var user = await users.FindByEmailAsync(email.Trim());
        if (user is null)
        {
            var hasher = users.PasswordHasher;
            _dummyHash ??= hasher.HashPassword(Nobody, Guid.NewGuid().ToString());
            hasher.VerifyHashedPassword(Nobody, _dummyHash, password);
            return Outcome.Refused;
        }
        var result = await signIn.PasswordSignInAsync(user, password, isPersistent: false, lockoutOnFailure: true);
        if (result.Succeeded) return Outcome.SignedIn;
        if (result.RequiresTwoFactor) return Outcome.NeedsCode;
        // Locked or not allowed (disabled, invited): checked before the password, so hash anyway for the same timing.
        if (result.IsLockedOut || result.IsNotAllowed) users.PasswordHasher.VerifyHashedPassword(user, user.PasswordHash ?? _dummyHash ?? "", password);
        return Outcome.Refused;
    }

    /// <summary>The second step; needs the short-lived two-factor cookie the password step set.</summary>
    public async Task<Outcome> CodeAsync(string code)
    {
        var result = await signIn.TwoFactorAuthenticatorSignInAsync(code.Replace(" ", "").Replace("-", ""), isPersistent: false, rememberClient: false);
        return result.Succeeded ? Outcome.SignedIn : Outcome.Refused;
    }

    public async Task<bool> AwaitingCodeAsync() => await signIn.GetTwoFactorAuthenticationUserAsync() is not null;

    public Task SignOutAsync() => signIn.SignOutAsync();
}
