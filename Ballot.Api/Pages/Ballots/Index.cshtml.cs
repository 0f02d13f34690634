using Ballot.Api.StaffConsole;
using Ballot.Core.Ballots;
using MediatR;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Mvc;

namespace Ballot.Api.Pages.Ballots;

/// <summary>Ballots by status, for executives (who draft and open them) and scrutineers (who watch and certify them).</summary>
[Authorize(Policy = ConsolePolicies.Oversight)]
public sealed class IndexModel(IMediator mediator) : ConsolePageModel
{
    public static readonly string[] Statuses = ["draft", "open", "closed", "certified"];

    [FromQuery(Name = "status")] public string? Status { get; set; }

    public IReadOnlyList<ListBallots.Summary> Ballots { get; private set; } = [];

    public async Task OnGetAsync()
    {
        if (Status is not null && !Statuses.Contains(Status)) Status = null;
        Ballots = await mediator.Send(new ListBallots.Query(Status), HttpContext.RequestAborted);
    }
}
