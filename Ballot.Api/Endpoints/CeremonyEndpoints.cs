using System.Security.Claims;
using System.Text.Json;
using Ballot.Api.Auth;
using Ballot.Core.Ballots.Ceremony;
using Ballot.Core.Staff;
using MediatR;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Mvc;

namespace Ballot.Api.Endpoints;

/// <summary>
/// A ballot's key ceremony (ADR 0902): the executive names the trustees on the draft; each trustee's command posts its
/// three messages with the staff token bound to it; the server checks and relays them and keeps the joint key.
/// </summary>
public sealed class CeremonyEndpoints : IEndpoints
{
    public static void Map(IEndpointRouteBuilder app)
    {
        var ballots = app.MapGroup("/api/ballots").WithTags("Key ceremony");
        ballots.MapPut("/{id}/trustees", Name).RequireRoles(Roles.Executive)
            .WithSummary("Name a draft's trustees (scrutineer, executive members, reserve), each bound to a staff token, and t of n.");
        ballots.MapGet("/{id}/ceremony", Get).RequireRoles(Roles.Executive, Roles.Organiser, Roles.Scrutineer)
            .WithSummary("The key ceremony: t of n, each trustee's progress, every message relayed so far, and the key once complete.");
        var trustee = ballots.MapGroup("/{id}/ceremony/trustees/{index}").RequireRoles(Roles.Executive, Roles.Organiser, Roles.Scrutineer);
        trustee.MapPost("/announcement", Announce).WithSummary("Round 1: trustee i's transport key and commitment hash (only with trustee i's token).");
        trustee.MapPost("/dealing", Deal).WithSummary("Round 2, after every announcement: trustee i's commitments and sealed shares.");
        trustee.MapPost("/confirmation", Confirm).WithSummary("Round 3, after every dealing: trustee i confirms the key; the last one completes the ceremony.");
        ballots.MapPost("/{id}/ceremony/reset", Reset).RequireRoles(Roles.Executive)
            .WithSummary("Start a draft's key ceremony again: every message and any key are dropped; audited.");
    }

    public sealed record ResetRequest(string? Reason);

    private static async Task<Ok<GetCeremony.View>> Name(long id, NameTrustees.Input body, ClaimsPrincipal user, IMediator mediator, CancellationToken ct) =>
        TypedResults.Ok(await mediator.Send(new NameTrustees.Command(id, body, user.AuditName()), ct));

    private static async Task<Ok<GetCeremony.View>> Get(long id, IMediator mediator, CancellationToken ct) =>
        TypedResults.Ok(await mediator.Send(new GetCeremony.Query(id), ct));

    // The body is read as raw JSON and parsed by the use case, so a message that does not decode is a 400 naming the trustee.
    private static async Task<Ok<GetCeremony.View>> Announce(long id, int index, JsonElement body, ClaimsPrincipal user, IMediator mediator, CancellationToken ct) =>
        TypedResults.Ok(await mediator.Send(new PostAnnouncement.Command(id, index, Raw(body), user.Staff()), ct));

    private static async Task<Ok<GetCeremony.View>> Deal(long id, int index, JsonElement body, ClaimsPrincipal user, IMediator mediator, CancellationToken ct) =>
        TypedResults.Ok(await mediator.Send(new PostDealing.Command(id, index, Raw(body), user.Staff()), ct));

    private static async Task<Ok<GetCeremony.View>> Confirm(long id, int index, JsonElement body, ClaimsPrincipal user, IMediator mediator, CancellationToken ct) =>
        TypedResults.Ok(await mediator.Send(new PostConfirmation.Command(id, index, Raw(body), user.Staff()), ct));

    private static string Raw(JsonElement body)
    {
        try
        {
            return body.GetRawText();
        }
        catch (InvalidOperationException e)
        {
            throw new InvalidDataException("The JSON body is not valid text (a lone surrogate or bytes that are not UTF-8).", e);
        }
    }

    private static async Task<Ok<GetCeremony.View>> Reset(long id, [FromBody(EmptyBodyBehavior = Microsoft.AspNetCore.Mvc.ModelBinding.EmptyBodyBehavior.Allow)] ResetRequest? body,
        ClaimsPrincipal user, IMediator mediator, CancellationToken ct) =>
        TypedResults.Ok(await mediator.Send(new ResetCeremony.Command(id, body?.Reason, user.AuditName()), ct));
}
