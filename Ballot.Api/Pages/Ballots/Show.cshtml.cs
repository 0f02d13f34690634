using Ballot.Api.StaffConsole;
using Ballot.Core.Ballots;
using MediatR;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Mvc;

namespace Ballot.Api.Pages.Ballots;

/// <summary>One ballot: what it asks, who may vote, and the next step its status allows.</summary>
[Authorize(Policy = ConsolePolicies.Oversight)]
public sealed class ShowModel(IMediator mediator) : ConsolePageModel
{
    [FromRoute(Name = "id")] public long Id { get; set; }

    public BallotView Ballot { get; private set; } = null!;

    public async Task OnGetAsync() => Ballot = await mediator.Send(new GetBallot.Query(Id), HttpContext.RequestAborted);

    /// <summary>A consultative ballot closed before its time (CloseBallot refuses an industrial-action one).</summary>
    public async Task<IActionResult> OnPostCloseAsync()
    {
        if (!User.Allows(ConsolePolicies.Executive)) return Forbid();
        var (ok, _) = await TrySend(mediator, new CloseBallot.Command(Id, User.BallotActor(), Early: true));
        if (!ok)
        {
            await OnGetAsync();
            return Page();
        }
        Tell(CloseBallot.AwaitingTrustees);
        return Redirect($"/ballots/{Id}/result");
    }
}
