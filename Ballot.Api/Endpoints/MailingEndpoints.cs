using System.Security.Claims;
using Ballot.Api.Auth;
using Ballot.Core.Common;
using Ballot.Core.Mail;
using Ballot.Core.Staff;
using MediatR;
using Microsoft.AspNetCore.Http.HttpResults;

namespace Ballot.Api.Endpoints;

/// <summary>
/// Mailings: write once, preview per member, approve (executive), send now or later, watch progress. The API only
/// records intent; Ballot.Worker sends.
/// </summary>
public sealed class MailingEndpoints : IEndpoints
{
    public sealed record MailingBody(string? Subject, string? BodyMarkdown, string? ReplyTo, Audience? Audience);

    public sealed record TestBody(string? Email, string? Member);

    public sealed record SendBody(DateTimeOffset? At);

    public static void Map(IEndpointRouteBuilder app)
    {
        // Roles per endpoint, not per group: approving is for the executive alone.
        var g = app.MapGroup("/api/mailings").WithTags("Mailings");
        string[] staff = [Roles.Executive, Roles.Organiser];
        g.MapPost("/", Create).RequireRoles(staff).WithSummary("Draft a campaign mailing: subject and Markdown body with merge fields, reply-to, audience.");
        g.MapGet("/", List).RequireRoles(staff).WithSummary("Mailings, newest first (test copies excluded).");
        g.MapGet("/{id:long}", Get).RequireRoles(staff).WithSummary("A mailing with its progress: recipients, pending, sent, failed.");
        g.MapPatch("/{id:long}", Update).RequireRoles(staff).WithSummary("Edit a draft.");
        g.MapGet("/{id:long}/preview", Preview).RequireRoles(staff).WithSummary("The letter one member would get: subject, HTML and text.");
        g.MapPost("/{id:long}/test", Test).RequireRoles(staff).WithSummary("Send one copy to an address (the worker sends it, subject prefixed [TEST]).");
        g.MapPost("/{id:long}/approve", Approve).RequireRoles(Roles.Executive).WithSummary("Approve a draft for sending (executive only).");
        g.MapPost("/{id:long}/send", Send).RequireRoles(staff).WithSummary("Send an approved mailing now, or at 'at'.");
        g.MapPost("/{id:long}/cancel", Cancel).RequireRoles(staff).WithSummary("Stop a mailing; letters already sent stay sent.");
        g.MapGet("/{id:long}/recipients", Recipients).RequireRoles(staff).WithSummary("Letters by state, e.g. ?status=failed with the SMTP reply.");
    }

    private static string Actor(ClaimsPrincipal user) => user.AuditName();

    private static async Task<Created<MailingView>> Create(MailingBody body, ClaimsPrincipal user, IMediator mediator, CancellationToken ct)
    {
        var view = await mediator.Send(new CreateMailing.Command(body.Subject, body.BodyMarkdown, body.ReplyTo, body.Audience, Actor(user)), ct);
        return TypedResults.Created($"/api/mailings/{view.Id}", view);
    }

    private static async Task<Ok<Paged<ListMailings.Summary>>> List(IMediator mediator, CancellationToken ct, string? status = null, int page = 1, int pageSize = 50) =>
        TypedResults.Ok(await mediator.Send(new ListMailings.Query(status, page, pageSize), ct));

    private static async Task<Ok<MailingView>> Get(long id, IMediator mediator, CancellationToken ct) =>
        TypedResults.Ok(await mediator.Send(new GetMailing.Query(id), ct));

    private static async Task<Ok<MailingView>> Update(long id, MailingBody body, IMediator mediator, CancellationToken ct) =>
        TypedResults.Ok(await mediator.Send(new UpdateMailing.Command(id, body.Subject, body.BodyMarkdown, body.ReplyTo, body.Audience), ct));

    private static async Task<Ok<PreviewMailing.Preview>> Preview(long id, IMediator mediator, CancellationToken ct, string? member = null) =>
        TypedResults.Ok(await mediator.Send(new PreviewMailing.Query(id, member), ct));

    private static async Task<Accepted<SendTestCopy.Result>> Test(long id, TestBody body, ClaimsPrincipal user, IMediator mediator, CancellationToken ct)
    {
        var result = await mediator.Send(new SendTestCopy.Command(id, body.Email, body.Member, Actor(user)), ct);
        return TypedResults.Accepted($"/api/mailings/{id}", result);
    }

    private static async Task<Ok<MailingView>> Approve(long id, ClaimsPrincipal user, IMediator mediator, CancellationToken ct) =>
        TypedResults.Ok(await mediator.Send(new ApproveMailing.Command(id, Actor(user)), ct));

    private static async Task<Ok<MailingView>> Send(long id, SendBody? body, ClaimsPrincipal user, IMediator mediator, CancellationToken ct) =>
        TypedResults.Ok(await mediator.Send(new ScheduleMailing.Command(id, body?.At, Actor(user)), ct));

    private static async Task<Ok<MailingView>> Cancel(long id, IMediator mediator, CancellationToken ct) =>
        TypedResults.Ok(await mediator.Send(new CancelMailing.Command(id), ct));

    private static async Task<Ok<Paged<ListRecipients.RecipientView>>> Recipients(long id, IMediator mediator, CancellationToken ct,
        string? status = null, int page = 1, int pageSize = 100) =>
        TypedResults.Ok(await mediator.Send(new ListRecipients.Query(id, status, page, pageSize), ct));
}
