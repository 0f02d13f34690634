using System.Security.Claims;
using Ballot.Api.Auth;
using Ballot.Api.Errors;
using Ballot.Core.Common;
using Ballot.Core.Members;
using Ballot.Core.Staff;
using MediatR;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.AspNetCore.Http.HttpResults;

namespace Ballot.Api.Endpoints;

public sealed class MemberEndpoints : IEndpoints
{
    /// <summary>A 450,000-member register is about 40 MB of CSV; allow ten times that.</summary>
    private const long MaxImportBytes = 512L * 1024 * 1024;

    public static void Map(IEndpointRouteBuilder app)
    {
        var members = app.MapGroup("/api/members").WithTags("Members").RequireRoles(Roles.Executive, Roles.Organiser);
        members.MapPost("/import", Import)
            .WithSummary("Upsert members from CSV by membership number; all or nothing.");
        members.MapGet("/", List).WithSummary("Search and filter the register, a page at a time.");
        members.MapGet("/{membershipNumber}", Get);
        members.MapPatch("/{membershipNumber}", Update).WithSummary("Change email, workplace or status.");
        members.MapDelete("/{membershipNumber}", Erase).WithSummary("Erase the member's name and email; the register row stays for past ballots' counts.");

        // Executives only: organisers change members; the record of who changed what is for those who oversee them.
        app.MapGet("/api/members/{membershipNumber}/history", History).WithTags("Members").RequireRoles(Roles.Executive)
            .WithSummary("Every change to the member's email or status, and their erasure: who, when, old and new value.");

        app.MapGet("/api/workplaces", ListWorkplaces).WithTags("Members").RequireRoles(Roles.Executive, Roles.Organiser);
    }

    private static async Task<Ok<ImportMembers.Result>> Import(HttpContext http, IMediator mediator, CancellationToken ct)
    {
        var contentType = http.Request.ContentType ?? "";
        if (!contentType.StartsWith("text/csv", StringComparison.OrdinalIgnoreCase))
            throw new UnsupportedMediaType("Send the register as CSV with Content-Type: text/csv.");
        var size = http.Features.Get<IHttpMaxRequestBodySizeFeature>();
        if (size is { IsReadOnly: false }) size.MaxRequestBodySize = MaxImportBytes;
        // Buffer to a temporary file so a slow client cannot hold the database write lock.
        await using var buffer = new FileStream(Path.GetTempFileName(), FileMode.Create, FileAccess.ReadWrite, FileShare.None, 1 << 16,
            FileOptions.DeleteOnClose | FileOptions.Asynchronous);
        await http.Request.Body.CopyToAsync(buffer, ct);
        buffer.Position = 0;
        return TypedResults.Ok(await mediator.Send(new ImportMembers.Command(buffer, http.User.Staff()), ct));
    }

    private static async Task<Ok<Paged<MemberView>>> List(IMediator mediator, CancellationToken ct,
        string? workplace = null, string? employer = null, string? region = null, string? category = null,
        string? status = null, string? q = null, int page = 1, int pageSize = 50) =>
        TypedResults.Ok(await mediator.Send(new ListMembers.Query(workplace, employer, region, category, status, q, page, pageSize), ct));

    private static async Task<Ok<MemberView>> Get(string membershipNumber, IMediator mediator, CancellationToken ct) =>
        TypedResults.Ok(await mediator.Send(new GetMember.Query(membershipNumber), ct));

    public sealed record MemberPatch(string? Email, long? WorkplaceId, string? Status);

    private static async Task<Ok<MemberView>> Update(string membershipNumber, MemberPatch patch, ClaimsPrincipal user, IMediator mediator, CancellationToken ct) =>
        TypedResults.Ok(await mediator.Send(new UpdateMember.Command(membershipNumber, patch.Email, patch.WorkplaceId, patch.Status, user.Staff()), ct));

    private static async Task<Ok<GetMemberHistory.History>> History(string membershipNumber, IMediator mediator, CancellationToken ct) =>
        TypedResults.Ok(await mediator.Send(new GetMemberHistory.Query(membershipNumber), ct));

    private static async Task<NoContent> Erase(string membershipNumber, ClaimsPrincipal user, IMediator mediator, CancellationToken ct)
    {
        await mediator.Send(new EraseMember.Command(membershipNumber, user.Staff()), ct);
        return TypedResults.NoContent();
    }

    private static async Task<Ok<Paged<ListWorkplaces.WorkplaceSummary>>> ListWorkplaces(IMediator mediator, CancellationToken ct,
        string? employer = null, string? region = null, string? q = null, int page = 1, int pageSize = 50) =>
        TypedResults.Ok(await mediator.Send(new ListWorkplaces.Query(employer, region, q, page, pageSize), ct));
}
