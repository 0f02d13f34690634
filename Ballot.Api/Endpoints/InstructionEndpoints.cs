using System.Security.Claims;
using Ballot.Core.Motions;
using Ballot.Core.Staff;
using MediatR;
using Microsoft.AspNetCore.Http.HttpResults;

namespace Ballot.Api.Endpoints;

/// <summary>What carried motions instruct the Executive to do, followed until done.</summary>
public sealed class InstructionEndpoints : IEndpoints
{
    public static void Map(IEndpointRouteBuilder app)
    {
        var read = new[] { Roles.Executive, Roles.Organiser };
        var instructions = app.MapGroup("/api/instructions").WithTags("Motions");
        instructions.MapGet("/", List).RequireRoles(read)
            .WithSummary("Action items; status=open (default) lists what is outstanding, soonest due first, with overdue marked.");
        instructions.MapGet("/{id:long}", Get).RequireRoles(read);
        instructions.MapPatch("/{id:long}", Update).RequireRoles(Roles.Executive)
            .WithSummary("Correct the text or due term, assign, record progress.");
        instructions.MapPost("/{id:long}/links", Link).RequireRoles(Roles.Executive)
            .WithSummary("Link to the mailing, ballot or leaflet campaign that carries the instruction out.");
        instructions.MapDelete("/{id:long}/links/{kind}/{targetId:long}", Unlink).RequireRoles(Roles.Executive);
    }

    private static async Task<Ok<IReadOnlyList<InstructionView>>> List(IMediator mediator, CancellationToken ct,
        string? status = "open", long? conferenceId = null, long? motionId = null, string? assignee = null) =>
        TypedResults.Ok(await mediator.Send(new ListInstructions.Query(status, conferenceId, motionId, assignee), ct));

    private static async Task<Ok<InstructionView>> Get(long id, IMediator mediator, CancellationToken ct) =>
        TypedResults.Ok(await mediator.Send(new GetInstruction.Query(id), ct));

    public sealed record InstructionPatch(string? Text, string? DueTerm, int? DueYear, DateOnly? DueOn, string? Assignee, string? Progress, string? ProgressNote);

    private static async Task<Ok<InstructionView>> Update(long id, InstructionPatch patch, ClaimsPrincipal user, IMediator mediator, CancellationToken ct) =>
        TypedResults.Ok(await mediator.Send(new UpdateInstruction.Command(id, patch.Text, patch.DueTerm, patch.DueYear, patch.DueOn, patch.Assignee,
            patch.Progress, patch.ProgressNote, user.Identity?.Name), ct));

    public sealed record LinkBody(string? Kind, long? Id);

    private static async Task<Ok<InstructionView>> Link(long id, LinkBody body, ClaimsPrincipal user, IMediator mediator, CancellationToken ct) =>
        TypedResults.Ok(await mediator.Send(new LinkInstruction.Command(id, body.Kind, body.Id, user.Identity?.Name), ct));

    private static async Task<Ok<InstructionView>> Unlink(long id, string kind, long targetId, IMediator mediator, CancellationToken ct) =>
        TypedResults.Ok(await mediator.Send(new UnlinkInstruction.Command(id, kind, targetId), ct));
}
