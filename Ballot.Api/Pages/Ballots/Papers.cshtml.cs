using Ballot.Api.StaffConsole;
using Ballot.Core.Ballots;
using Ballot.Core.Ballots.Papers;
using Ballot.Core.Common;
using MediatR;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Mvc;

namespace Ballot.Api.Pages.Ballots;

/// <summary>
/// Voting papers: print runs for the print house, and the scrutineer's batch entry of returned papers with the running
/// reconciliation of both channels. The receipts of counted papers are shown once, to whoever entered them.
/// </summary>
[Authorize(Policy = ConsolePolicies.Oversight)]
public sealed class PapersModel(IMediator mediator) : ConsolePageModel
{
    [FromRoute(Name = "id")] public long Id { get; set; }
    [BindProperty(Name = "papers")] public string? PapersText { get; set; }

    public BallotView Ballot { get; private set; } = null!;
    public GetPaperReconciliation.View Reconciliation { get; private set; } = null!;
    public IReadOnlyList<PrintJobView> PrintJobs { get; private set; } = [];
    public EnterReturnedPapers.Result? Entered { get; private set; }

    public async Task OnGetAsync() => await Load();

    public async Task<IActionResult> OnPostPrintAsync()
    {
        var (ok, job) = await TrySend(mediator, new StartPrint.Command(Id) { RequestedBy = User.BallotActor() });
        if (!ok)
        {
            await Load();
            return Page();
        }
        Tell($"Print run {job!.Id} is queued: the worker numbers and draws the papers; progress shows below.");
        return Redirect($"/ballots/{Id}/papers");
    }

    /// <summary>Not post/redirect/get: the receipts of the papers just counted are shown on this answer only, never stored with them.</summary>
    public async Task<IActionResult> OnPostEnterAsync()
    {
        await Load();
        List<EnterReturnedPapers.Paper> papers;
        try
        {
            papers = EnterReturnedPapers.ParseLines(Ballot.Questions, PapersText);
        }
        catch (ValidationFailed v)
        {
            foreach (var m in v.Errors.SelectMany(e => e.Value)) ModelState.AddModelError("papers", m);
            return Page();
        }
        var (ok, result) = await TrySend(mediator, new EnterReturnedPapers.Command(Id, papers) { Actor = User.BallotActor() });
        if (!ok)
        {
            // Messages about papers[3] and the like belong beside the one text box.
            foreach (var key in ModelState.Keys.Where(k => k.StartsWith("papers[", StringComparison.Ordinal)).ToList())
            {
                foreach (var e in ModelState[key]!.Errors) ModelState.AddModelError("papers", $"Line {PaperNumber(key)}: {e.ErrorMessage}");
                ModelState.Remove(key);
            }
            return Page();
        }
        Entered = result;
        PapersText = null;
        ModelState.Clear();
        await Load();
        return Page();
    }

    public async Task<IActionResult> OnGetZipAsync(long jobId)
    {
        var zip = await mediator.Send(new GetPrintZip.Query(Id, jobId), HttpContext.RequestAborted);
        return PhysicalFile(zip.Path, "application/zip", zip.FileName);
    }

    private static string PaperNumber(string key) =>
        int.TryParse(key["papers[".Length..key.IndexOf(']')], out var i) ? (i + 1).ToString(System.Globalization.CultureInfo.InvariantCulture) : "?";

    private async Task Load()
    {
        var ct = HttpContext.RequestAborted;
        Ballot = await mediator.Send(new GetBallot.Query(Id), ct);
        Reconciliation = await mediator.Send(new GetPaperReconciliation.Query(Id), ct);
        PrintJobs = await mediator.Send(new GetPrintJobs.Query(Id), ct);
    }
}
