using Ballot.Api.StaffConsole;
using Ballot.Core.Motions;
using MediatR;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Mvc;

namespace Ballot.Api.Pages.Motions;

/// <summary>A conference's order paper, filterable by status; the Executive imports a motion by pasting its text.</summary>
[Authorize(Policy = ConsolePolicies.Register)]
public sealed class ConferenceModel(IMediator mediator) : ConsolePageModel
{
    public ConferenceView Conference { get; private set; } = null!;
    public IReadOnlyList<MotionSummary> Motions { get; private set; } = [];

    [BindProperty(SupportsGet = true, Name = "status")] public string? Status { get; set; }

    [BindProperty(Name = "body")] public string? Body { get; set; }
    [BindProperty(Name = "number")] public int? Number { get; set; }
    [BindProperty(Name = "proposer.kind")] public string? ProposerKind { get; set; }
    [BindProperty(Name = "proposer.name")] public string? ProposerName { get; set; }
    [BindProperty(Name = "topic")] public string? Topic { get; set; }

    public async Task OnGetAsync(long id)
    {
        Conference = await mediator.Send(new GetConference.Query(id), HttpContext.RequestAborted);
        var status = string.IsNullOrEmpty(Status) ? null : Status;
        var (ok, motions) = await TrySend(mediator, new ListMotions.Query(id, status));
        Motions = ok ? motions! : [];
    }

    public async Task<IActionResult> OnGetDecisionsAsync(long id)
    {
        var export = await mediator.Send(new ExportDecisions.Query(id), HttpContext.RequestAborted);
        return File(export.Pdf, "application/pdf", export.FileName);
    }

    public async Task<IActionResult> OnPostImportAsync(long id)
    {
        if (!User.Allows(ConsolePolicies.Executive)) return Forbid();
        // HTML form submission sends every line break of a textarea as CRLF; undo that, so the text is kept as pasted.
        var body = (Body ?? "").Replace("\r\n", "\n");
        var proposer = string.IsNullOrWhiteSpace(ProposerName) && string.IsNullOrEmpty(ProposerKind) ? null : new Party(ProposerKind ?? "", ProposerName ?? "");
        var (ok, motion) = await TrySend(mediator, new ImportMotion.Command(id, body, Number, proposer, null,
            string.IsNullOrWhiteSpace(Topic) ? null : Topic, false, User.Identity?.Name));
        if (ok)
        {
            Tell($"Motion {motion!.Number} recorded: {motion.Title}.");
            return Redirect($"/motions/{motion.Id}");
        }
        ModelState.Move("text", "body");
        ModelState.Move("title", "body");
        await OnGetAsync(id);
        return Page();
    }
}
