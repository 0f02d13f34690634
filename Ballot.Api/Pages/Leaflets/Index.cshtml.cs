using Ballot.Api.StaffConsole;
using Ballot.Core.Leaflets;
using MediatR;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Mvc;

namespace Ballot.Api.Pages.Leaflets;

/// <summary>Leaflet campaigns, and a form to start one.</summary>
[Authorize(Policy = ConsolePolicies.Register)]
public sealed class IndexModel(IMediator mediator) : ConsolePageModel
{
    public IReadOnlyList<ListCampaigns.CampaignSummary> Campaigns { get; private set; } = [];

    [BindProperty(Name = "name")] public string? Name { get; set; }
    [BindProperty(Name = "webAddress")] public string? WebAddress { get; set; }
    [BindProperty(Name = "imprint")] public string? Imprint { get; set; }
    [BindProperty(Name = "brandColour")] public string? BrandColour { get; set; } = "#c8102e";

    public async Task OnGetAsync() => Campaigns = await mediator.Send(new ListCampaigns.Query(), HttpContext.RequestAborted);

    public async Task<IActionResult> OnPostAsync()
    {
        var (ok, created) = await TrySend(mediator, new CreateCampaign.Command(Name, WebAddress, Imprint, BrandColour, null, null) { CreatedBy = User.Identity?.Name });
        if (ok)
        {
            Tell($"Campaign {created!.Name} created: write its first leaflet.");
            return Redirect($"/leaflets/{created.Id}");
        }
        await OnGetAsync();
        return Page();
    }
}
