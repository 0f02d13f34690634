using Ballot.Core;
using MediatR;
using Microsoft.AspNetCore.Http.HttpResults;

namespace Ballot.Api.Endpoints;

public sealed class HealthEndpoints : IEndpoints
{
    public static void Map(IEndpointRouteBuilder app) =>
        app.MapGet("/health", Health).AllowAnonymous().WithTags("Operations")
            .WithSummary("Database reachable and every migration applied (no token needed).");

    public sealed record HealthReport(string Status, string Engine, string Database, MigrationState Migrations);

    public sealed record MigrationState(int Applied, IReadOnlyList<string> Pending);

    private static async Task<JsonHttpResult<HealthReport>> Health(IMediator mediator, CancellationToken ct)
    {
        var r = await mediator.Send(new CheckHealth.Query(), ct);
        var body = new HealthReport(r.Healthy ? "healthy" : "unhealthy", r.Engine,
            r.DatabaseReachable ? "reachable" : "unreachable", new MigrationState(r.MigrationsApplied, r.MigrationsPending));
        return TypedResults.Json(body, statusCode: r.Healthy ? 200 : 503);
    }
}
