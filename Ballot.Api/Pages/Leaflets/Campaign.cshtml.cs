using Ballot.Api.StaffConsole;
using Ballot.Core.Leaflets;
using MediatR;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Mvc;

namespace Ballot.Api.Pages.Leaflets;

/// <summary>A campaign: its leaflets per audience and language, one school's PDF, and bulk jobs for many schools.</summary>
[Authorize(Policy = ConsolePolicies.Register)]
public sealed class CampaignModel(IMediator mediator) : ConsolePageModel
{
    public CampaignView Campaign { get; private set; } = null!;
    public IReadOnlyList<BulkJobView> Jobs { get; private set; } = [];

    [BindProperty(SupportsGet = true, Name = "audience")] public string? Audience { get; set; }
    [BindProperty(SupportsGet = true, Name = "language")] public string? Language { get; set; }
    [BindProperty(SupportsGet = true, Name = "workplace")] public string? Workplace { get; set; }
    [BindProperty(Name = "region")] public string? Region { get; set; }
    [BindProperty(Name = "employer")] public string? Employer { get; set; }
    [BindProperty(Name = "pageSize")] public string? PageSize { get; set; }

    public async Task OnGetAsync(long id)
    {
        Campaign = await mediator.Send(new GetCampaign.Query(id), HttpContext.RequestAborted);
        Jobs = await mediator.Send(new ListBulkJobs.Query(id), HttpContext.RequestAborted);
    }

    /// <summary>"Write a leaflet": the editor for an audience and language, new or existing.</summary>
    public IActionResult OnGetWrite(long id)
    {
        var language = string.IsNullOrWhiteSpace(Language) ? "en" : Language.Trim();
        return Redirect($"/leaflets/{id}/content/{Uri.EscapeDataString(Audience ?? "")}/{Uri.EscapeDataString(language)}");
    }

    public async Task<IActionResult> OnGetDownloadAsync(long id)
    {
        try
        {
            var (ok, pdf) = await TrySend(mediator, new RenderLeaflet.Query(id, Audience ?? "", Workplace, Blank(Language), null));
            if (ok) return File(pdf!.Pdf, "application/pdf", pdf.FileName);
        }
        catch (Ballot.Core.Common.NotFound e) when (Workplace is not null)
        {
            // The school typed is not one we know (or the leaflet is not written in that language): say so beside the field.
            ModelState.AddModelError("workplace", e.Message);
        }
        await OnGetAsync(id);
        return Page();
    }

    public async Task<IActionResult> OnPostBulkAsync(long id)
    {
        var (ok, job) = await TrySend(mediator, new StartBulkLeaflets.Command(id, Audience, Blank(Language), Blank(PageSize), Blank(Region), Blank(Employer))
        {
            RequestedBy = User.Identity?.Name,
        });
        if (ok)
        {
            Tell($"Bulk job {job!.Id} queued: the worker renders the leaflets into one zip.");
            return Redirect($"/leaflets/{id}/jobs/{job.Id}");
        }
        await OnGetAsync(id);
        return Page();
    }

    private static string? Blank(string? s) => string.IsNullOrWhiteSpace(s) ? null : s.Trim();
}
