using Ballot.Api.StaffConsole;
using Ballot.Core.Staff.Accounts;
using MediatR;
using Microsoft.AspNetCore.Authorization;

namespace Ballot.Api.Pages.Staff;

[Authorize(Policy = ConsolePolicies.Executive)]
public sealed class IndexModel(IMediator mediator) : ConsolePageModel
{
    public IReadOnlyList<ListAccounts.AccountSummary> Accounts { get; private set; } = [];

    public async Task OnGetAsync() => Accounts = await mediator.Send(new ListAccounts.Query(), HttpContext.RequestAborted);
}
