using Ballot.Core.Staff;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Identity;

namespace Ballot.Api.StaffConsole;

/// <summary>
/// Who may open which console page. Every policy authenticates with the session cookie only, so the cookie never
/// authorises the JSON API (which stays bearer-only and so cannot be driven by a forged cross-site form).
/// </summary>
public static class ConsolePolicies
{
    /// <summary>Any signed-in staff member; applied to every page that is not marked anonymous.</summary>
    public const string Staff = "console-staff";
    public const string Executive = "console-executive";
    /// <summary>The member register and mailings: executives and organisers, never scrutineers.</summary>
    public const string Register = "console-register";
    /// <summary>Turnout, audit and results: executives and scrutineers.</summary>
    public const string Oversight = "console-oversight";
    public const string Scrutineer = "console-scrutineer";

    public static readonly IReadOnlyDictionary<string, string[]> RolesOf = new Dictionary<string, string[]>
    {
        [Staff] = [.. Roles.All],
        [Executive] = [Roles.Executive],
        [Register] = [Roles.Executive, Roles.Organiser],
        [Oversight] = [Roles.Executive, Roles.Scrutineer],
        [Scrutineer] = [Roles.Scrutineer],
    };

    public static void Add(AuthorizationOptions o)
    {
        foreach (var (name, roles) in RolesOf)
            o.AddPolicy(name, p => p.AddAuthenticationSchemes(IdentityConstants.ApplicationScheme).RequireAuthenticatedUser().RequireRole(roles));
    }

    /// <summary>For navigation: may this user open pages under this policy?</summary>
    public static bool Allows(this System.Security.Claims.ClaimsPrincipal user, string policy) =>
        user.Identity?.IsAuthenticated == true && RolesOf[policy].Any(user.IsInRole);
}
