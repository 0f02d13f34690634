using Ballot.Api.StaffConsole;
using Ballot.Core.Ballots;
using MediatR;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Mvc;

namespace Ballot.Api.Pages.Ballots;

/// <summary>The confirmation before opening: who would be balloted, the warnings, and what opening does.</summary>
[Authorize(Policy = ConsolePolicies.Executive)]
public sealed class OpenModel(IMediator mediator) : ConsolePageModel
{
    [FromRoute(Name = "id")] public long Id { get; set; }

    public BallotView Ballot { get; private set; } = null!;
    public PreviewElectorate.View Preview { get; private set; } = null!;
    public IReadOnlyList<int> Reminders { get; private set; } = [];

    public async Task<IActionResult> OnGetAsync()
    {
        await Load();
        return Ballot.Status == "draft" ? Page() : Redirect($"/ballots/{Id}");
    }

    public async Task<IActionResult> OnPostAsync()
    {
        var (ok, result) = await TrySend(mediator, new OpenBallot.Command(Id, User.BallotActor()));
        if (!ok)
        {
            await Load();
            return Page();
        }
        Tell($"The ballot is open: {result!.ElectorateSize:N0} electors, {result.LettersQueued:N0} voting letters queued.");
        return Redirect($"/ballots/{Id}/turnout");
    }

    private async Task Load()
    {
        Ballot = await mediator.Send(new GetBallot.Query(Id), HttpContext.RequestAborted);
        Preview = await mediator.Send(new PreviewElectorate.ForBallot(Id), HttpContext.RequestAborted);
    }
}
