using Ballot.Api.StaffConsole;
using Ballot.Core.Common;
using Ballot.Core.Mail;
using MediatR;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Mvc;

namespace Ballot.Api.Pages.Mailings;

/// <summary>Mailings, newest first, with status and progress (ListMailings, as GET /api/mailings).</summary>
[Authorize(Policy = ConsolePolicies.Register)]
public sealed class IndexModel(IMediator mediator) : ConsolePageModel
{
    [BindProperty(Name = "status", SupportsGet = true)] public string? Status { get; set; }
    [FromQuery(Name = "page")] public int PageNumber { get; set; } = 1;

    public Paged<ListMailings.Summary>? Mailings { get; private set; }

    public async Task OnGetAsync() =>
        (_, Mailings) = await TrySend(mediator, new ListMailings.Query(string.IsNullOrWhiteSpace(Status) ? null : Status, PageNumber));
}
