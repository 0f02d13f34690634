using System.Security.Claims;
using Ballot.Api.Auth;
using Ballot.Api.Voting;
using Ballot.Core.Ballots;
using Ballot.Core.Staff;
using MediatR;
using Microsoft.AspNetCore.Http.HttpResults;
using Ballot.Core.Ballots.Voting;

namespace Ballot.Api.Endpoints;

public sealed class BallotEndpoints : IEndpoints
{
    public static void Map(IEndpointRouteBuilder app)
    {
        var ballots = app.MapGroup("/api/ballots").WithTags("Ballots");
        ballots.MapPost("/", Create).RequireRoles(Roles.Executive).WithSummary("Create a ballot in draft.");
        ballots.MapGet("/", List).RequireRoles(Roles.Executive, Roles.Organiser, Roles.Scrutineer);
        ballots.MapGet("/{id}", Get).RequireRoles(Roles.Executive, Roles.Organiser, Roles.Scrutineer);
        ballots.MapPut("/{id}", Update).RequireRoles(Roles.Executive).WithSummary("Replace a draft ballot; only while it is a draft.");
        ballots.MapPost("/{id}/open", Open).RequireRoles(Roles.Executive)
            .WithSummary("Freeze the electorate, issue credentials and queue the voting letters (the worker does this at opensAt).");
        ballots.MapPost("/{id}/close", Close).RequireRoles(Roles.Executive)
            .WithSummary("Close a consultative ballot early and count it (the worker closes every ballot at closesAt).");
        ballots.MapGet("/{id}/turnout", Turnout).RequireRoles(Roles.Executive, Roles.Scrutineer)
            .WithSummary("Who has voted: totals, per constituency and per hour. Never what anyone chose.");
        ballots.MapGet("/{id}/sealing-stock", SealingStock).RequireRoles(Roles.Executive, Roles.Scrutineer)
            .WithSummary("This API process's stock of precomputed sealing slots for the ballot: ready, capacity, and answers sealed from stock or directly.");
        ballots.MapGet("/{id}/result", Result).AllowAnonymous()
            .WithSummary("The count: staff after close, everyone after certification.");
        ballots.MapGet("/{id}/receipts/{receipt}", CheckReceipt).AllowAnonymous()
            .WithSummary("Whether the vote with this receipt was recorded and counted.");
        ballots.MapPost("/{id}/certify", Certify).RequireRoles(Roles.Scrutineer)
            .WithSummary("The scrutineer certifies the result after the audit chain verifies; the result notice goes to every elector.");
        ballots.MapGet("/{id}/certificate", CertificateOf).AllowAnonymous()
            .WithSummary("The scrutineer's signed certificate: the result hash and the audit chain's head and length, signed (ECDSA P-256).");
        app.MapGet("/api/certification-key", CertificationKey).AllowAnonymous().WithTags("Ballots")
            .WithSummary("The public key every certificate is signed with, and its fingerprint.");
        ballots.MapGet("/{id}/audit", AuditLog).RequireRoles(Roles.Executive, Roles.Scrutineer);
        ballots.MapGet("/{id}/audit/verify", VerifyAuditChain).RequireRoles(Roles.Executive, Roles.Scrutineer)
            .WithSummary("Recompute the audit chain and say where it breaks, if anywhere.");
        ballots.MapGet("/{id}/employer-notice", EmployerNoticeDocument).RequireRoles(Roles.Executive, Roles.Scrutineer)
            .WithSummary("The s.231A notice of the result to employers, as Markdown.");

        app.MapPost("/api/votes", Vote)
            .AllowAnonymous().WithTags("Voting").WithSummary("Cast a vote with a credential; answers 201 with the receipt.");
        app.MapPost("/api/ping", () => TypedResults.Ok(new Pong("pong"))).AllowAnonymous().WithTags("Operations")
            .WithSummary("A trivial POST answering JSON: the HTTP ceiling that vote benchmarks are measured against.");
    }

    public sealed record Pong(string Status);


    private static async Task<Created<BallotView>> Create(BallotInput body, ClaimsPrincipal user, IMediator mediator, CancellationToken ct)
    {
        var view = await mediator.Send(new CreateBallot.Command(body, user.AuditName()), ct);
        return TypedResults.Created($"/api/ballots/{view.Id}", view);
    }

    private static async Task<Ok<IReadOnlyList<ListBallots.Summary>>> List(IMediator mediator, CancellationToken ct, string? status = null) =>
        TypedResults.Ok(await mediator.Send(new ListBallots.Query(status), ct));

    private static async Task<Ok<BallotView>> Get(long id, IMediator mediator, CancellationToken ct) =>
        TypedResults.Ok(await mediator.Send(new GetBallot.Query(id), ct));

    private static async Task<Ok<BallotView>> Update(long id, BallotInput body, ClaimsPrincipal user, IMediator mediator, CancellationToken ct) =>
        TypedResults.Ok(await mediator.Send(new UpdateBallot.Command(id, body, user.AuditName()), ct));

    private static async Task<Ok<OpenBallot.Result>> Open(long id, ClaimsPrincipal user, IMediator mediator, ElectorIndex index, CancellationToken ct)
    {
        var result = await mediator.Send(new OpenBallot.Command(id, user.AuditName()), ct);
        index.Load(id);   // the electorate in memory before the first votes arrive (docs/decisions/0212)
        return TypedResults.Ok(result);
    }

    private static async Task<Ok<BallotView>> Close(long id, ClaimsPrincipal user, IMediator mediator, CancellationToken ct) =>
        TypedResults.Ok(await mediator.Send(new CloseBallot.Command(id, user.AuditName(), Early: true), ct));

    private static async Task<Ok<GetTurnout.View>> Turnout(long id, IMediator mediator, CancellationToken ct) =>
        TypedResults.Ok(await mediator.Send(new GetTurnout.Query(id), ct));

    private static async Task<Ok<GetSealingStock.View>> SealingStock(long id, IMediator mediator, CancellationToken ct) =>
        TypedResults.Ok(await mediator.Send(new GetSealingStock.Query(id), ct));

    private static async Task<Ok<GetResult.View>> Result(long id, ClaimsPrincipal user, IMediator mediator, CancellationToken ct) =>
        TypedResults.Ok(await mediator.Send(new GetResult.Query(id, Staff: user.Identity?.IsAuthenticated == true), ct));

    private static async Task<Ok<CheckReceipt.View>> CheckReceipt(long id, string receipt, IMediator mediator, CancellationToken ct) =>
        TypedResults.Ok(await mediator.Send(new Ballot.Core.Ballots.CheckReceipt.Query(id, receipt), ct));

    private static async Task<Ok<GetResult.View>> Certify(long id, ClaimsPrincipal user, IMediator mediator, CancellationToken ct) =>
        TypedResults.Ok(await mediator.Send(new CertifyBallot.Command(id, user.AuditName()), ct));

    private static async Task<Ok<Certificate>> CertificateOf(long id, IMediator mediator, CancellationToken ct) =>
        TypedResults.Ok(await mediator.Send(new GetCertificate.Query(id), ct));

    private static async Task<Ok<GetCertificationKey.View>> CertificationKey(IMediator mediator, CancellationToken ct) =>
        TypedResults.Ok(await mediator.Send(new GetCertificationKey.Query(), ct));

    private static async Task<Ok<IReadOnlyList<GetAudit.Entry>>> AuditLog(long id, IMediator mediator, CancellationToken ct) =>
        TypedResults.Ok(await mediator.Send(new GetAudit.Query(id), ct));

    private static async Task<Ok<Audit.Verification>> VerifyAuditChain(long id, IMediator mediator, CancellationToken ct) =>
        TypedResults.Ok(await mediator.Send(new VerifyAudit.Query(id), ct));

    private static async Task<ContentHttpResult> EmployerNoticeDocument(long id, IMediator mediator, CancellationToken ct) =>
        TypedResults.Text(await mediator.Send(new EmployerNotice.Query(id), ct), "text/markdown; charset=utf-8");

    public sealed record VoteRequest(string? Credential, Dictionary<string, string?>? Answers);

    public sealed record VoteReceipt(string Receipt);

    private static async Task<IResult> Vote(VoteRequest body, HttpContext http, IMediator mediator, CredentialGuard guard, CancellationToken ct)
    {
        try
        {
            var receipt = await mediator.Send(new CastVote.Command(body.Credential ?? "", body.Answers), ct);
            return TypedResults.Created((string?)null, new VoteReceipt(receipt.Code));
        }
        catch (Ballot.Core.Common.NotFound) when (guard.Fail(http))
        {
            return TypedResults.Problem(statusCode: 429, title: "Too many requests.",
                detail: "Too many voting links that are not valid were tried from your address. Wait a minute and try again.");
        }
    }
}
