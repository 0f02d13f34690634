using Ballot.Api.StaffConsole;
using Ballot.Core.Ballots;
using MediatR;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Mvc;

namespace Ballot.Api.Pages.Results;

/// <summary>A member enters their receipt code and learns whether it was recorded, then counted. No sign-in; a GET form.</summary>
[AllowAnonymous]
public sealed class CheckModel(IMediator mediator) : ConsolePageModel
{
    [FromRoute(Name = "id")] public long Id { get; set; }
    [FromQuery(Name = "receipt")] public string? Receipt { get; set; }

    public CheckReceipt.View? Answer { get; private set; }

    public async Task OnGetAsync()
    {
        if (Receipt is null) return;
        (_, Answer) = await TrySend(mediator, new CheckReceipt.Query(Id, Receipt));
    }
}
