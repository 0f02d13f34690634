using Ballot.Api.StaffConsole;
using Ballot.Core.Ballots;
using Ballot.Core.Ballots.Ceremony;
using MediatR;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Mvc;

namespace Ballot.Api.Pages.Ballots;

/// <summary>One ballot: what it asks, who may vote, and the next step its status allows.</summary>
[Authorize(Policy = ConsolePolicies.Oversight)]
public sealed class ShowModel(IMediator mediator, TimeProvider clock) : ConsolePageModel
{
    [FromRoute(Name = "id")] public long Id { get; set; }

    public BallotView Ballot { get; private set; } = null!;

    public GetCeremony.View Ceremony { get; private set; } = null!;

    [BindProperty(Name = "reason")] public string? Reason { get; set; }

    /// <summary>A draft whose opening time has come but whose key is not made: the worker leaves it a draft (ADR 0902).</summary>
    public bool DueWithoutKey => Ballot.Status == "draft" && Ballot.OpensAt <= clock.GetUtcNow() && Ceremony.Stage != "complete";

    public async Task OnGetAsync()
    {
        Ballot = await mediator.Send(new GetBallot.Query(Id), HttpContext.RequestAborted);
        Ceremony = await mediator.Send(new GetCeremony.Query(Id), HttpContext.RequestAborted);
    }

    public async Task<IActionResult> OnPostResetCeremonyAsync()
    {
        if (!User.Allows(ConsolePolicies.Executive)) return Forbid();
        var (ok, _) = await TrySend(mediator, new ResetCeremony.Command(Id, Reason, User.BallotActor()));
        if (!ok)
        {
            await OnGetAsync();
            return Page();
        }
        Tell("The key ceremony starts again: every trustee runs trustee init with a new file.");
        return Redirect($"/ballots/{Id}#ceremony");
    }

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
