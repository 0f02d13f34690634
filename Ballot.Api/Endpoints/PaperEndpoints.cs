using System.Security.Claims;
using Ballot.Api.Auth;
using Ballot.Core.Ballots.Papers;
using Ballot.Core.Staff;
using MediatR;
using Microsoft.AspNetCore.Http.HttpResults;

namespace Ballot.Api.Endpoints;

/// <summary>Voting papers: print runs for the print house, and the returned papers the scrutineer enters (ADR 0610).</summary>
public sealed class PaperEndpoints : IEndpoints
{
    public static void Map(IEndpointRouteBuilder app)
    {
        var ballots = app.MapGroup("/api/ballots").WithTags("Voting papers");
        ballots.MapPost("/{id:long}/print-jobs", StartPrintRun).RequireRoles(Roles.Executive, Roles.Scrutineer)
            .WithSummary("Queue the ballot's voting papers for print: the worker writes A4 PDFs of 1,000 papers, sorted by postcode, and a CSV manifest, in one zip.");
        ballots.MapGet("/{id:long}/print-jobs", PrintRuns).RequireRoles(Roles.Executive, Roles.Scrutineer)
            .WithSummary("The ballot's print runs with their progress, and how many electors are sent paper only (no email, or a work email).");
        ballots.MapGet("/{id:long}/print-jobs/{jobId:long}/zip", PrintZip).RequireRoles(Roles.Executive, Roles.Scrutineer)
            .WithSummary("A finished print run's zip: the PDFs and manifest.csv.");
        ballots.MapPost("/{id:long}/returned-papers", EnterPapers).RequireRoles(Roles.Scrutineer, Roles.Executive)
            .WithSummary("Enter a batch of returned voting papers (at most 1,000): each by serial or QR code, with the answers marked on it.");
        ballots.MapGet("/{id:long}/returned-papers", Reconciliation).RequireRoles(Roles.Scrutineer, Roles.Executive)
            .WithSummary("The reconciliation: papers issued, returned, counted, duplicates, late, votes online; duplicates and late papers by serial.");
    }

    private static string Actor(ClaimsPrincipal user) => user.AuditName();

    private static async Task<Accepted<PrintJobView>> StartPrintRun(long id, ClaimsPrincipal user, IMediator mediator, CancellationToken ct)
    {
        var job = await mediator.Send(new StartPrint.Command(id) { RequestedBy = Actor(user) }, ct);
        return TypedResults.Accepted($"/api/ballots/{id}/print-jobs", job);
    }

    private static async Task<Ok<IReadOnlyList<PrintJobView>>> PrintRuns(long id, IMediator mediator, CancellationToken ct) =>
        TypedResults.Ok(await mediator.Send(new GetPrintJobs.Query(id), ct));

    private static async Task<PhysicalFileHttpResult> PrintZip(long id, long jobId, IMediator mediator, CancellationToken ct)
    {
        var zip = await mediator.Send(new GetPrintZip.Query(id, jobId), ct);
        return TypedResults.PhysicalFile(zip.Path, "application/zip", zip.FileName);
    }

    public sealed record ReturnedPapers(IReadOnlyList<EnterReturnedPapers.Paper>? Papers);

    private static async Task<Ok<EnterReturnedPapers.Result>> EnterPapers(long id, ReturnedPapers body, ClaimsPrincipal user, IMediator mediator, CancellationToken ct) =>
        TypedResults.Ok(await mediator.Send(new EnterReturnedPapers.Command(id, body.Papers) { Actor = Actor(user) }, ct));

    private static async Task<Ok<GetPaperReconciliation.View>> Reconciliation(long id, IMediator mediator, CancellationToken ct) =>
        TypedResults.Ok(await mediator.Send(new GetPaperReconciliation.Query(id), ct));
}
