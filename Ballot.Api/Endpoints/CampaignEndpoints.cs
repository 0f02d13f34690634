using System.Security.Claims;
using Ballot.Core.Leaflets;
using Ballot.Core.Staff;
using MediatR;
using Microsoft.AspNetCore.Http.HttpResults;

namespace Ballot.Api.Endpoints;

/// <summary>Leaflet campaigns: content per audience and language, local contacts, one school's PDF, bulk zips.</summary>
public sealed class CampaignEndpoints : IEndpoints
{
    public static void Map(IEndpointRouteBuilder app)
    {
        var campaigns = app.MapGroup("/api/campaigns").WithTags("Leaflets").RequireRoles(Roles.Executive, Roles.Organiser);
        campaigns.MapPost("/", Create).WithSummary("Create a campaign: name, web address, imprint, brand colour, logo (PNG, base64), content.");
        campaigns.MapGet("/", List);
        campaigns.MapGet("/{id:long}", Get);
        campaigns.MapPatch("/{id:long}", Update).WithSummary("Change the campaign's settings; only the fields given change.");
        campaigns.MapPut("/{id:long}/content/{audience}/{language}", SetContentFor)
            .WithSummary("Create or replace one audience's content in one language (parents, governors, trade-unionists).");

        campaigns.MapGet("/contacts", Contacts).WithSummary("Local contacts printed on leaflets, per workplace or region.");
        campaigns.MapPut("/contacts", SetContactFor).WithSummary("Set the local contact of a workplace (workplaceId) or a region.");

        campaigns.MapGet("/{id:long}/leaflets/{audience}.pdf", Leaflet)
            .WithSummary("One school's leaflet as PDF: ?workplace=<id or name>&language=en&pageSize=a4|a5.");
        campaigns.MapPost("/{id:long}/leaflets/bulk", StartBulk)
            .WithSummary("Queue one leaflet per school matching region/employer; the worker renders them into one zip.");
        campaigns.MapGet("/{id:long}/leaflets/bulk/{jobId:long}", BulkStatus).WithSummary("A bulk job's status and progress.");
        campaigns.MapGet("/{id:long}/leaflets/bulk/{jobId:long}/zip", BulkZip).WithSummary("The finished job's zip of PDFs.");
    }

    private static async Task<Created<CampaignView>> Create(CreateCampaign.Command cmd, ClaimsPrincipal user, IMediator mediator, CancellationToken ct)
    {
        var view = await mediator.Send(cmd with { CreatedBy = user.Identity?.Name }, ct);
        return TypedResults.Created($"/api/campaigns/{view.Id}", view);
    }

    private static async Task<Ok<IReadOnlyList<ListCampaigns.CampaignSummary>>> List(IMediator mediator, CancellationToken ct) =>
        TypedResults.Ok(await mediator.Send(new ListCampaigns.Query(), ct));

    private static async Task<Ok<CampaignView>> Get(long id, IMediator mediator, CancellationToken ct) =>
        TypedResults.Ok(await mediator.Send(new GetCampaign.Query(id), ct));

    public sealed record CampaignPatch(string? Name, string? WebAddress, string? Imprint, string? BrandColour, string? Logo, bool RemoveLogo = false);

    private static async Task<Ok<CampaignView>> Update(long id, CampaignPatch patch, IMediator mediator, CancellationToken ct) =>
        TypedResults.Ok(await mediator.Send(new UpdateCampaign.Command(id, patch.Name, patch.WebAddress, patch.Imprint, patch.BrandColour, patch.Logo, patch.RemoveLogo), ct));

    public sealed record ContentBody(string? Headline, string? Introduction, IReadOnlyList<Section>? Sections, IReadOnlyList<string>? Demands, string? CallToAction);

    private static async Task<Ok<CampaignView>> SetContentFor(long id, string audience, string language, ContentBody body, IMediator mediator, CancellationToken ct) =>
        TypedResults.Ok(await mediator.Send(new SetContent.Command(id, audience, language,
            new ContentInput(audience, language, body.Headline, body.Introduction, body.Sections, body.Demands, body.CallToAction)), ct));

    private static async Task<Ok<IReadOnlyList<ContactView>>> Contacts(IMediator mediator, CancellationToken ct) =>
        TypedResults.Ok(await mediator.Send(new ListContacts.Query(), ct));

    private static async Task<Ok<ContactView>> SetContactFor(SetContact.Command cmd, IMediator mediator, CancellationToken ct) =>
        TypedResults.Ok(await mediator.Send(cmd, ct));

    private static async Task<FileContentHttpResult> Leaflet(long id, string audience, IMediator mediator, CancellationToken ct,
        string? workplace = null, string? language = null, string? pageSize = null)
    {
        var result = await mediator.Send(new RenderLeaflet.Query(id, audience, workplace, language, pageSize), ct);
        return TypedResults.File(result.Pdf, "application/pdf", result.FileName);
    }

    public sealed record BulkRequest(string? Audience, string? Language, string? PageSize, string? Region, string? Employer);

    private static async Task<Accepted<BulkJobView>> StartBulk(long id, BulkRequest body, ClaimsPrincipal user, IMediator mediator, CancellationToken ct)
    {
        var job = await mediator.Send(new StartBulkLeaflets.Command(id, body.Audience, body.Language, body.PageSize, body.Region, body.Employer)
        {
            RequestedBy = user.Identity?.Name,
        }, ct);
        return TypedResults.Accepted($"/api/campaigns/{id}/leaflets/bulk/{job.Id}", job);
    }

    private static async Task<Ok<BulkJobView>> BulkStatus(long id, long jobId, IMediator mediator, CancellationToken ct) =>
        TypedResults.Ok(await mediator.Send(new GetBulkJob.Query(id, jobId), ct));

    private static async Task<PhysicalFileHttpResult> BulkZip(long id, long jobId, IMediator mediator, CancellationToken ct)
    {
        var zip = await mediator.Send(new GetBulkZip.Query(id, jobId), ct);
        return TypedResults.PhysicalFile(zip.Path, "application/zip", zip.FileName);
    }
}
