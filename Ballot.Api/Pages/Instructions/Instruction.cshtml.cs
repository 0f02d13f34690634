using Ballot.Api.StaffConsole;
using Ballot.Core.Ballots;
using Ballot.Core.Leaflets;
using Ballot.Core.Mail;
using Ballot.Core.Motions;
using MediatR;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Mvc;

namespace Ballot.Api.Pages.Instructions;

/// <summary>One instruction: the Executive assigns it, records progress and links what carries it out, chosen from lists.</summary>
[Authorize(Policy = ConsolePolicies.Register)]
public sealed class InstructionModel(IMediator mediator) : ConsolePageModel
{
    public InstructionView Item { get; private set; } = null!;
    public IReadOnlyDictionary<DescribeLinks.Link, DescribeLinks.State> States { get; private set; } = new Dictionary<DescribeLinks.Link, DescribeLinks.State>();
    public IReadOnlyList<ListBallots.Summary> Ballots { get; private set; } = [];
    public IReadOnlyList<ListMailings.Summary> Mailings { get; private set; } = [];
    public IReadOnlyList<ListCampaigns.CampaignSummary> Campaigns { get; private set; } = [];

    [BindProperty(Name = "assignee")] public string? Assignee { get; set; }
    [BindProperty(Name = "progress")] public string? Progress { get; set; }
    [BindProperty(Name = "progressNote")] public string? ProgressNote { get; set; }
    /// <summary>"ballot:12", "mailing:3" or "campaign:1", from the lists.</summary>
    [BindProperty(Name = "target")] public string? Target { get; set; }

    public async Task OnGetAsync(long id)
    {
        var ct = HttpContext.RequestAborted;
        Item = await mediator.Send(new GetInstruction.Query(id), ct);
        States = await mediator.Send(new DescribeLinks.Query(Item.Links.Select(l => new DescribeLinks.Link(l.Kind, l.Id)).ToList(), User.Allows(ConsolePolicies.Oversight)), ct);
        Assignee ??= Item.Assignee;
        Progress ??= Item.Progress;
        ProgressNote ??= Item.ProgressNote;
        if (!User.Allows(ConsolePolicies.Executive)) return;
        Ballots = await mediator.Send(new ListBallots.Query(), ct);
        Mailings = (await mediator.Send(new ListMailings.Query(PageSize: 500), ct)).Items;
        Campaigns = await mediator.Send(new ListCampaigns.Query(), ct);
    }

    public async Task<IActionResult> OnPostUpdateAsync(long id)
    {
        if (!User.Allows(ConsolePolicies.Executive)) return Forbid();
        var (ok, _) = await TrySend(mediator, new UpdateInstruction.Command(id, null, null, null, null, Assignee ?? "", Progress,
            ProgressNote ?? "", User.Identity?.Name));
        return await Done(id, ok, "Instruction updated.");
    }

    public async Task<IActionResult> OnPostLinkAsync(long id)
    {
        if (!User.Allows(ConsolePolicies.Executive)) return Forbid();
        var parts = (Target ?? "").Split(':');
        if (parts.Length != 2 || !long.TryParse(parts[1], out var targetId))
        {
            ModelState.AddModelError("target", "Choose the mailing, ballot or campaign that carries the instruction out.");
            return await Done(id, false, "");
        }
        var (ok, _) = await TrySend(mediator, new LinkInstruction.Command(id, parts[0], targetId, User.Identity?.Name));
        ModelState.Move("kind", "target");
        ModelState.Move("id", "target");
        return await Done(id, ok, $"Linked to {parts[0]} {targetId}.");
    }

    public async Task<IActionResult> OnPostUnlinkAsync(long id, string kind, long targetId)
    {
        if (!User.Allows(ConsolePolicies.Executive)) return Forbid();
        await mediator.Send(new UnlinkInstruction.Command(id, kind, targetId), HttpContext.RequestAborted);
        return await Done(id, true, $"The link to {kind} {targetId} is removed.");
    }

    private async Task<IActionResult> Done(long id, bool ok, string notice)
    {
        if (ok)
        {
            Tell(notice);
            return Redirect($"/instructions/{id}");
        }
        await OnGetAsync(id);
        return Page();
    }
}
