using Ballot.Api.StaffConsole;
using Ballot.Core.Common;
using Ballot.Core.Members;
using MediatR;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Mvc;

namespace Ballot.Api.Pages.Employers;

/// <summary>Employers with their contact email for notices and their email domains (ListEmployers, as GET /api/employers).</summary>
[Authorize(Policy = ConsolePolicies.Register)]
public sealed class IndexModel(IMediator mediator) : ConsolePageModel
{
    [BindProperty(Name = "q", SupportsGet = true)] public string? Q { get; set; }
    [FromQuery(Name = "page")] public int PageNumber { get; set; } = 1;

    public Paged<EmployerView>? Employers { get; private set; }

    public async Task OnGetAsync() => (_, Employers) = await TrySend(mediator, new ListEmployers.Query(Q, PageNumber));
}
