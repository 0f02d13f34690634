using Ballot.Api.StaffConsole;
using Ballot.Core.Common;
using Ballot.Core.Members;
using MediatR;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Mvc;

namespace Ballot.Api.Pages.Workplaces;

/// <summary>Workplaces with their active members (ListWorkplaces, as GET /api/workplaces).</summary>
[Authorize(Policy = ConsolePolicies.Register)]
public sealed class IndexModel(IMediator mediator) : ConsolePageModel
{
    [BindProperty(Name = "q", SupportsGet = true)] public string? Q { get; set; }
    [BindProperty(Name = "employer", SupportsGet = true)] public string? Employer { get; set; }
    [BindProperty(Name = "region", SupportsGet = true)] public string? Region { get; set; }
    [FromQuery(Name = "page")] public int PageNumber { get; set; } = 1;

    public Paged<ListWorkplaces.WorkplaceSummary>? Workplaces { get; private set; }
    public IReadOnlyList<string> Regions { get; private set; } = [];

    public async Task OnGetAsync()
    {
        Regions = (await mediator.Send(new RegisterChoices.Query(), HttpContext.RequestAborted)).Regions;
        (_, Workplaces) = await TrySend(mediator, new ListWorkplaces.Query(Employer, Region, Q, PageNumber));
    }
}
