using System.Security.Claims;
using Ballot.Core.Staff;
using Microsoft.AspNetCore.Http.HttpResults;

namespace Ballot.Api.Endpoints;

public sealed class StaffEndpoints : IEndpoints
{
    public static void Map(IEndpointRouteBuilder app) =>
        app.MapGet("/api/me", Me).WithTags("Staff").RequireRoles(Roles.All.ToArray())
            .WithSummary("Who the bearer token belongs to, and its role.");

    public sealed record MeView(long Id, string Name, string Role);

    private static Ok<MeView> Me(ClaimsPrincipal user) =>
        TypedResults.Ok(new MeView(long.Parse(user.FindFirstValue(ClaimTypes.NameIdentifier)!), user.Identity!.Name!, user.FindFirstValue(ClaimTypes.Role)!));
}
