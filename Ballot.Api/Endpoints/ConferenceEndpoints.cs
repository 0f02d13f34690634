using System.Security.Claims;
using System.Text;
using Ballot.Api.Errors;
using Ballot.Core.Motions;
using Ballot.Core.Staff;
using MediatR;
using Microsoft.AspNetCore.Http.HttpResults;

namespace Ballot.Api.Endpoints;

/// <summary>Conferences, their motions and amendments, and conference's votes. The Executive records; organisers read.</summary>
public sealed class ConferenceEndpoints : IEndpoints
{
    private const int MaxImportChars = 200_000;

    public static void Map(IEndpointRouteBuilder app)
    {
        var read = new[] { Roles.Executive, Roles.Organiser };
        var conferences = app.MapGroup("/api/conferences").WithTags("Motions");
        conferences.MapPost("/", CreateConference).RequireRoles(Roles.Executive).WithSummary("Record a conference: name, place, dates.");
        conferences.MapGet("/", ListConferences).RequireRoles(read);
        conferences.MapGet("/{id:long}", GetConference).RequireRoles(read);
        conferences.MapPost("/{id:long}/motions", CreateMotion).RequireRoles(Roles.Executive)
            .WithSummary("Record a motion; its text is kept exactly as entered.");
        conferences.MapPost("/{id:long}/motions/import", ImportMotion).RequireRoles(Roles.Executive)
            .WithSummary("Record a motion sent as plain text: the title line, a blank line, then the motion.");
        conferences.MapGet("/{id:long}/motions", ListMotions).RequireRoles(read);
        conferences.MapGet("/{id:long}/decisions.pdf", ExportDecisions).RequireRoles(read)
            .WithSummary("The conference's decisions as one PDF: each motion, its result, amendments and instructions.");

        var motions = app.MapGroup("/api/motions").WithTags("Motions");
        motions.MapGet("/search", Search).RequireRoles(read)
            .WithSummary("Full-text search over motions: every word must appear; \"quoted words\" as a phrase.");
        motions.MapGet("/{id:long}", GetMotion).RequireRoles(read)
            .WithSummary("A motion with its amendments, votes, text history and instructions.");
        motions.MapPost("/{id:long}/status", ChangeStatus).RequireRoles(Roles.Executive)
            .WithSummary("Prioritise, debate, remit or withdraw; 409 names the changes allowed.");
        motions.MapPost("/{id:long}/amendments", MoveAmendment).RequireRoles(Roles.Executive)
            .WithSummary("Move an amendment: delete, insert, add or replace words.");
        motions.MapPost("/{id:long}/vote", VoteOnMotion).RequireRoles(Roles.Executive)
            .WithSummary("Record conference's vote on the motion; it decides carried or lost.");

        var amendments = app.MapGroup("/api/amendments").WithTags("Motions");
        amendments.MapPost("/{id:long}/vote", VoteOnAmendment).RequireRoles(Roles.Executive)
            .WithSummary("Record conference's vote on an amendment; carried, it rewrites the substantive motion.");
        amendments.MapPost("/{id:long}/withdraw", WithdrawAmendment).RequireRoles(Roles.Executive);
    }

    private static string? Actor(ClaimsPrincipal user) => user.Identity?.Name;

    public sealed record ConferenceBody(string? Name, string? Place, DateOnly? StartsOn, DateOnly? EndsOn);

    private static async Task<Created<ConferenceView>> CreateConference(ConferenceBody body, IMediator mediator, CancellationToken ct)
    {
        var c = await mediator.Send(new Ballot.Core.Motions.CreateConference.Command(body.Name, body.Place, body.StartsOn, body.EndsOn), ct);
        return TypedResults.Created($"/api/conferences/{c.Id}", c);
    }

    private static async Task<Ok<IReadOnlyList<ConferenceView>>> ListConferences(IMediator mediator, CancellationToken ct) =>
        TypedResults.Ok(await mediator.Send(new Ballot.Core.Motions.ListConferences.Query(), ct));

    private static async Task<Ok<ConferenceView>> GetConference(long id, IMediator mediator, CancellationToken ct) =>
        TypedResults.Ok(await mediator.Send(new Ballot.Core.Motions.GetConference.Query(id), ct));

    public sealed record MotionBody(int? Number, string? Title, string? Text, Party? Proposer, Party? Seconder, string? Topic, bool? NeedsTwoThirds);

    private static async Task<Created<MotionView>> CreateMotion(long id, MotionBody body, ClaimsPrincipal user, IMediator mediator, CancellationToken ct)
    {
        var m = await mediator.Send(new Ballot.Core.Motions.CreateMotion.Command(id, body.Number, body.Title, body.Text, body.Proposer, body.Seconder,
            body.Topic, body.NeedsTwoThirds ?? false, Actor(user)), ct);
        return TypedResults.Created($"/api/motions/{m.Id}", m);
    }

    private static async Task<Created<MotionView>> ImportMotion(long id, HttpContext http, ClaimsPrincipal user, IMediator mediator, CancellationToken ct,
        int? number = null, string? proposerKind = null, string? proposerName = null, string? seconderKind = null, string? seconderName = null,
        string? topic = null, bool needsTwoThirds = false)
    {
        var contentType = http.Request.ContentType ?? "";
        if (!contentType.StartsWith("text/plain", StringComparison.OrdinalIgnoreCase))
            throw new UnsupportedMediaType("Send the motion as plain text with Content-Type: text/plain; charset=utf-8.");
        using var reader = new StreamReader(http.Request.Body, Encoding.UTF8);
        var buffer = new char[MaxImportChars + 1];
        var read = await reader.ReadBlockAsync(buffer, ct);
        if (read > MaxImportChars)
            throw Ballot.Core.Common.ValidationFailed.For("body", $"The motion must be at most {MaxImportChars} characters.");
        var body = new string(buffer, 0, read);
        Party? Make(string? kind, string? name) => kind is null && name is null ? null : new Party(kind!, name!);
        var m = await mediator.Send(new Ballot.Core.Motions.ImportMotion.Command(id, body, number, Make(proposerKind, proposerName),
            Make(seconderKind, seconderName), topic, needsTwoThirds, Actor(user)), ct);
        return TypedResults.Created($"/api/motions/{m.Id}", m);
    }

    private static async Task<Ok<IReadOnlyList<MotionSummary>>> ListMotions(long id, IMediator mediator, CancellationToken ct,
        string? status = null, string? topic = null) =>
        TypedResults.Ok(await mediator.Send(new Ballot.Core.Motions.ListMotions.Query(id, status, topic), ct));

    private static async Task<FileContentHttpResult> ExportDecisions(long id, IMediator mediator, CancellationToken ct)
    {
        var export = await mediator.Send(new Ballot.Core.Motions.ExportDecisions.Query(id), ct);
        return TypedResults.File(export.Pdf, "application/pdf", export.FileName);
    }

    private static async Task<Ok<SearchMotions.Result>> Search(IMediator mediator, CancellationToken ct, string? q = null, long? conferenceId = null, int limit = 20) =>
        TypedResults.Ok(await mediator.Send(new SearchMotions.Query(q, conferenceId, limit), ct));

    private static async Task<Ok<MotionView>> GetMotion(long id, IMediator mediator, CancellationToken ct) =>
        TypedResults.Ok(await mediator.Send(new Ballot.Core.Motions.GetMotion.Query(id), ct));

    public sealed record StatusBody(string? Status);

    private static async Task<Ok<MotionView>> ChangeStatus(long id, StatusBody body, ClaimsPrincipal user, IMediator mediator, CancellationToken ct) =>
        TypedResults.Ok(await mediator.Send(new ChangeMotionStatus.Command(id, body.Status, Actor(user)), ct));

    public sealed record AmendmentBody(Party? Mover, string? Kind, string? Words, string? InsertWords, string? Place, string? Anchor, int? Occurrence);

    private static async Task<Created<AmendmentView>> MoveAmendment(long id, AmendmentBody body, ClaimsPrincipal user, IMediator mediator, CancellationToken ct)
    {
        var a = await mediator.Send(new Ballot.Core.Motions.MoveAmendment.Command(id, body.Mover, body.Kind, body.Words, body.InsertWords, body.Place,
            body.Anchor, body.Occurrence, Actor(user)), ct);
        return TypedResults.Created($"/api/motions/{id}", a);
    }

    public sealed record VoteBody(string? Method, string? Result, long? For, long? Against, long? Abstain, long? TotalCast)
    {
        public VoteInput Input => new(Method, Result, For, Against, Abstain, TotalCast);
    }

    private static async Task<Ok<MotionView>> VoteOnMotion(long id, VoteBody body, ClaimsPrincipal user, IMediator mediator, CancellationToken ct) =>
        TypedResults.Ok(await mediator.Send(new RecordVote.Command(id, null, body.Input, Actor(user)), ct));

    private static async Task<Ok<MotionView>> VoteOnAmendment(long id, VoteBody body, ClaimsPrincipal user, IMediator mediator, CancellationToken ct) =>
        TypedResults.Ok(await mediator.Send(new RecordVote.Command(null, id, body.Input, Actor(user)), ct));

    private static async Task<Ok<MotionView>> WithdrawAmendment(long id, ClaimsPrincipal user, IMediator mediator, CancellationToken ct) =>
        TypedResults.Ok(await mediator.Send(new Ballot.Core.Motions.WithdrawAmendment.Command(id, Actor(user)), ct));
}
