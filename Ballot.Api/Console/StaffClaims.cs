using System.Security.Claims;
using Ballot.Core.Staff.Accounts;
using Microsoft.AspNetCore.Identity;
using Microsoft.Extensions.Options;

namespace Ballot.Api.StaffConsole;

/// <summary>The session's claims: id, email, security stamp (Identity's), plus role and display name.</summary>
public sealed class StaffClaimsFactory(UserManager<StaffUser> users, IOptions<IdentityOptions> options)
    : UserClaimsPrincipalFactory<StaffUser>(users, options)
{
    public const string DisplayName = "ballot:name";

    protected override async Task<ClaimsIdentity> GenerateClaimsAsync(StaffUser user)
    {
        var identity = await base.GenerateClaimsAsync(user);
        identity.AddClaim(new Claim(ClaimTypes.Role, user.Role));
        identity.AddClaim(new Claim(DisplayName, user.Name));
        return identity;
    }
}

public static class StaffClaimsExtensions
{
    public static long StaffId(this ClaimsPrincipal user) => long.Parse(user.FindFirstValue(ClaimTypes.NameIdentifier)!);
    public static string DisplayName(this ClaimsPrincipal user) => user.FindFirstValue(StaffClaimsFactory.DisplayName) ?? user.Identity?.Name ?? "";
    public static string Role(this ClaimsPrincipal user) => user.FindFirstValue(ClaimTypes.Role) ?? "";
    public static Actor Actor(this ClaimsPrincipal user) => new(user.StaffId(), user.DisplayName());
}

/// <summary>
/// Only active accounts sign in, and executives and scrutineers only once their authenticator is set up (their set-up
/// link insists on it; after `staff reset-2fa` they need a new link).
/// </summary>
public sealed class StaffSignInManager(UserManager<StaffUser> users, IHttpContextAccessor context, IUserClaimsPrincipalFactory<StaffUser> claims,
    IOptions<IdentityOptions> options, ILogger<SignInManager<StaffUser>> logger, Microsoft.AspNetCore.Authentication.IAuthenticationSchemeProvider schemes,
    IUserConfirmation<StaffUser> confirmation)
    : SignInManager<StaffUser>(users, context, claims, options, logger, schemes, confirmation)
{
    public override async Task<bool> CanSignInAsync(StaffUser user) =>
        user.Status == AccountStatus.Active && (!user.RequiresTwoFactor || user.TwoFactorEnabledAt is not null) && await base.CanSignInAsync(user);

    /// <summary>Checked on every request (ADR 0500): a disabled account's session ends at its next request.</summary>
    public override async Task<bool> ValidateSecurityStampAsync(StaffUser? user, string? securityStamp) =>
        user is { Status: AccountStatus.Active } && await base.ValidateSecurityStampAsync(user, securityStamp);
}
