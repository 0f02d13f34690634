using Ballot.Api.StaffConsole;
using Ballot.Core.Common;
using Ballot.Core.Members;
using MediatR;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Mvc;

namespace Ballot.Api.Pages.Members;

/// <summary>Search and filter the register, a page at a time (ListMembers, as GET /api/members).</summary>
[Authorize(Policy = ConsolePolicies.Register)]
public sealed class IndexModel(IMediator mediator) : ConsolePageModel
{
    [BindProperty(Name = "q", SupportsGet = true)] public string? Q { get; set; }
    [BindProperty(Name = "workplace", SupportsGet = true)] public string? Workplace { get; set; }
    [BindProperty(Name = "category", SupportsGet = true)] public string? Category { get; set; }
    [BindProperty(Name = "status", SupportsGet = true)] public string? Status { get; set; }
    [FromQuery(Name = "page")] public int PageNumber { get; set; } = 1;

    public Paged<MemberView>? Members { get; private set; }
    public RegisterChoices.View Choices { get; private set; } = new([], []);

    public async Task OnGetAsync()
    {
        Choices = await mediator.Send(new RegisterChoices.Query(), HttpContext.RequestAborted);
        (_, Members) = await TrySend(mediator, new ListMembers.Query(Workplace, null, null, Blank(Category), Blank(Status), Q, PageNumber));
    }

    private static string? Blank(string? s) => string.IsNullOrWhiteSpace(s) ? null : s;
}
