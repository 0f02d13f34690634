using System.Security.Claims;
using Ballot.Core.Staff;

namespace Ballot.Api.Auth;

public static class StaffActors
{
    /// <summary>
    /// The signed-in staff member. A bearer token is kind "token"; any other sign-in scheme (staff accounts) is
    /// "account", with its own name identifier, so the history needs no change when accounts arrive.
    /// </summary>
    public static StaffActor Staff(this ClaimsPrincipal user) => new(
        user.Identity?.AuthenticationType == StaffAuthentication.Scheme ? "token" : "account",
        user.FindFirstValue(ClaimTypes.NameIdentifier) ?? "",
        user.FindFirstValue(StaffConsole.StaffClaimsFactory.DisplayName) ?? user.FindFirstValue(ClaimTypes.Name) ?? "",
        user.FindFirstValue(ClaimTypes.Role) ?? "");

    /// <summary>The signed-in staff member as audit records name them (<see cref="StaffActor.AuditName"/>).</summary>
    public static string AuditName(this ClaimsPrincipal user) => user.Staff().AuditName;
}
