using System.Security.Claims;
using Ballot.Api.Auth;
using Ballot.Core.Ballots.Notices;
using Ballot.Core.Common;
using Ballot.Core.Members;
using Ballot.Core.Staff;
using MediatR;
using Microsoft.AspNetCore.Http.HttpResults;

namespace Ballot.Api.Endpoints;

/// <summary>Issue 16: notices to employers (s.226A, s.234A), employers' contact emails and domains, members' home addresses.</summary>
public sealed class NoticeEndpoints : IEndpoints
{
    public static void Map(IEndpointRouteBuilder app)
    {
        var ballots = app.MapGroup("/api/ballots").WithTags("Ballots");
        ballots.MapGet("/{id:long}/notices", List).RequireRoles(Roles.Executive, Roles.Scrutineer)
            .WithSummary("Per employer of an industrial-action ballot: its figures, each notice as last given, and what keeps the ballot from opening.");
        ballots.MapGet("/{id:long}/notices/{kind}.pdf", Pdf).RequireRoles(Roles.Executive, Roles.Scrutineer)
            .WithSummary("One employer's notice of the ballot, sample voting paper or notice of action (kind), as a PDF dated today.");
        ballots.MapPost("/{id:long}/notices", Give).RequireRoles(Roles.Executive)
            .WithSummary("Record a notice as given on a day (marked), or queue it to be emailed to the employer's contact address (email: true).");

        var employers = app.MapGroup("/api/employers").WithTags("Members").RequireRoles(Roles.Executive, Roles.Organiser);
        employers.MapGet("/", Employers).WithSummary("Employers as the workplaces name them, with their contact email and email domains.");
        employers.MapPut("/", SetEmployer).WithSummary("Set an employer's contact email for notices and its email domains (leeds.gov.uk, *.sch.uk).");

        app.MapPut("/api/members/{membershipNumber}/home-address", SetHome).WithTags("Members").RequireRoles(Roles.Executive, Roles.Organiser)
            .WithSummary("Replace a member's home address, and say whether their email is personal or work.");
    }

    private static string Actor(ClaimsPrincipal user) => user.AuditName();

    private static async Task<Ok<GetNotices.View>> List(long id, IMediator mediator, CancellationToken ct) =>
        TypedResults.Ok(await mediator.Send(new GetNotices.Query(id), ct));

    private static async Task<FileContentHttpResult> Pdf(long id, string kind, IMediator mediator, CancellationToken ct, string? employer = null)
    {
        var pdf = await mediator.Send(new GetNoticePdf.Query(id, employer ?? "", kind), ct);
        return TypedResults.File(pdf.Pdf, "application/pdf", pdf.FileName);
    }

    public sealed record NoticeBody(string? Employer, string? Kind, bool Email = false, DateTimeOffset? GivenAt = null);

    private static async Task<Ok<GetNotices.View>> Give(long id, NoticeBody body, ClaimsPrincipal user, IMediator mediator, CancellationToken ct) =>
        TypedResults.Ok(await mediator.Send(new GiveNotice.Command(id, body.Employer ?? "", body.Kind!, body.Email, body.GivenAt, Actor(user)), ct));

    private static async Task<Ok<Paged<EmployerView>>> Employers(IMediator mediator, CancellationToken ct, string? q = null, int page = 1, int pageSize = 50) =>
        TypedResults.Ok(await mediator.Send(new ListEmployers.Query(q, page, pageSize), ct));

    public sealed record EmployerBody(string? Name, string? ContactEmail, IReadOnlyList<string>? Domains);

    private static async Task<Ok<EmployerView>> SetEmployer(EmployerBody body, IMediator mediator, CancellationToken ct) =>
        TypedResults.Ok(await mediator.Send(new Ballot.Core.Members.SetEmployer.Command(body.Name ?? "", body.ContactEmail, body.Domains), ct));

    public sealed record HomeBody(string? Line1, string? Line2, string? Line3, string? Town, string? Postcode, string? EmailKind);

    private static async Task<Ok<MemberView>> SetHome(string membershipNumber, HomeBody body, ClaimsPrincipal user, IMediator mediator, CancellationToken ct) =>
        TypedResults.Ok(await mediator.Send(new SetHomeAddress.Command(membershipNumber, body.Line1, body.Line2, body.Line3, body.Town, body.Postcode, body.EmailKind,
            user.Staff()), ct));
}
