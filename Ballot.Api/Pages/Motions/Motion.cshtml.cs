using Ballot.Api.StaffConsole;
using Ballot.Core.Motions;
using MediatR;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Mvc;

namespace Ballot.Api.Pages.Motions;

/// <summary>
/// A motion: as entered and as amended, each amendment's difference, and for the Executive the forms conference's
/// business needs: move an amendment, record a vote (show of hands or card), and the status changes allowed now.
/// </summary>
[Authorize(Policy = ConsolePolicies.Register)]
public sealed class MotionModel(IMediator mediator) : ConsolePageModel
{
    public MotionView Motion { get; private set; } = null!;
    public ConferenceView Conference { get; private set; } = null!;

    [BindProperty(Name = "mover.kind")] public string? MoverKind { get; set; }
    [BindProperty(Name = "mover.name")] public string? MoverName { get; set; }
    [BindProperty(Name = "kind")] public string? Kind { get; set; }
    [BindProperty(Name = "words")] public string? Words { get; set; }
    [BindProperty(Name = "insertWords")] public string? InsertWords { get; set; }
    [BindProperty(Name = "place")] public string? Place { get; set; }
    [BindProperty(Name = "anchor")] public string? Anchor { get; set; }
    [BindProperty(Name = "occurrence")] public int? Occurrence { get; set; }

    /// <summary>"motion" or an amendment's id.</summary>
    [BindProperty(Name = "target")] public string? Target { get; set; }
    [BindProperty(Name = "result")] public string? Result { get; set; }
    [BindProperty(Name = "for")] public long? For { get; set; }
    [BindProperty(Name = "against")] public long? Against { get; set; }
    [BindProperty(Name = "abstain")] public long? Abstain { get; set; }

    /// <summary>Which vote form was sent, so its errors show there: hands or card.</summary>
    public string? VoteForm { get; private set; }

    public async Task OnGetAsync(long id)
    {
        Motion = await mediator.Send(new GetMotion.Query(id), HttpContext.RequestAborted);
        Conference = await mediator.Send(new GetConference.Query(Motion.ConferenceId), HttpContext.RequestAborted);
    }

    public async Task<IActionResult> OnPostStatusAsync(long id, string? status)
    {
        if (!User.Allows(ConsolePolicies.Executive)) return Forbid();
        var (ok, _) = await TrySend(mediator, new ChangeMotionStatus.Command(id, status, User.Identity?.Name));
        return await Done(id, ok, $"The motion is now {status}.");
    }

    public async Task<IActionResult> OnPostAmendAsync(long id)
    {
        if (!User.Allows(ConsolePolicies.Executive)) return Forbid();
        var mover = string.IsNullOrEmpty(MoverKind) && string.IsNullOrWhiteSpace(MoverName) ? null : new Party(MoverKind ?? "", MoverName ?? "");
        var insert = Kind == "insert";
        var (ok, a) = await TrySend(mediator, new MoveAmendment.Command(id, mover, Kind, Blank(Words), Kind == "delete" ? Blank(InsertWords) : null,
            insert ? Blank(Place) : null, insert ? Blank(Anchor) : null, Kind is "delete" or "insert" ? Occurrence : null, User.Identity?.Name));
        ModelState.Move("mover", "mover.name");
        return await Done(id, ok, ok ? $"Amendment {a!.Number} moved." : "");
    }

    public Task<IActionResult> OnPostHandsAsync(long id) => Vote(id, "hands", new VoteInput(VoteCount.ShowOfHands, Result, null, null, null, null));

    public Task<IActionResult> OnPostCardAsync(long id) => Vote(id, "card", new VoteInput(VoteCount.Card, null, For, Against, Abstain, null));

    public async Task<IActionResult> OnPostWithdrawAmendmentAsync(long id, long amendmentId)
    {
        if (!User.Allows(ConsolePolicies.Executive)) return Forbid();
        var (ok, _) = await TrySend(mediator, new WithdrawAmendment.Command(amendmentId, User.Identity?.Name));
        return await Done(id, ok, "The amendment is withdrawn.");
    }

    private async Task<IActionResult> Vote(long id, string form, VoteInput vote)
    {
        if (!User.Allows(ConsolePolicies.Executive)) return Forbid();
        VoteForm = form;
        long? amendmentId = long.TryParse(Target, out var a) ? a : null;
        var (ok, motion) = await TrySend(mediator, new RecordVote.Command(amendmentId is null ? id : null, amendmentId, vote, User.Identity?.Name));
        var what = amendmentId is null ? "The motion" : $"Amendment {motion?.Amendments.First(x => x.Id == amendmentId).Number}";
        var outcome = amendmentId is null ? motion?.Status : motion?.Amendments.First(x => x.Id == amendmentId).Status;
        // An amendment belongs to one motion: go back to that motion's page.
        return await Done(motion?.Id ?? id, ok, $"{what} is {outcome}.");
    }

    private async Task<IActionResult> Done(long id, bool ok, string notice)
    {
        if (ok)
        {
            Tell(notice);
            return Redirect($"/motions/{id}");
        }
        await OnGetAsync(id);
        return Page();
    }

    private static string? Blank(string? s) => string.IsNullOrEmpty(s) ? null : s;
}
