using Ballot.Api.StaffConsole;
using Ballot.Core.Ballots.Notices;
using MediatR;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Mvc;

namespace Ballot.Api.Pages.Ballots;

/// <summary>
/// An industrial-action ballot's notices to employers (GetNotices, as GET /api/ballots/{id}/notices): who has had what
/// and when, each employer's PDFs, and the executive's forms to mark a notice given or email it (GiveNotice).
/// </summary>
[Authorize(Policy = ConsolePolicies.Oversight)]
public sealed class NoticesModel(IMediator mediator, TimeProvider clock) : ConsolePageModel
{
    [FromRoute(Name = "id")] public long Id { get; set; }
    [BindProperty(Name = "employer")] public string? Employer { get; set; }
    [BindProperty(Name = "kind")] public string? Kind { get; set; }
    [BindProperty(Name = "givenAt")] public DateOnly? GivenOn { get; set; }

    public GetNotices.View? Notices { get; private set; }

    public async Task OnGetAsync()
    {
        var ballot = await mediator.Send(new Core.Ballots.GetBallot.Query(Id), HttpContext.RequestAborted);
        if (ballot.Kind == "industrial-action") Notices = await mediator.Send(new GetNotices.Query(Id), HttpContext.RequestAborted);
        GivenOn ??= DateOnly.FromDateTime(clock.GetUtcNow().UtcDateTime);
    }

    /// <summary>The PDF as it would be given today, for the executive to check, print or send themselves.</summary>
    public async Task<IActionResult> OnGetPdfAsync(string employer, string kind)
    {
        var (ok, pdf) = await TrySend(mediator, new GetNoticePdf.Query(Id, employer ?? "", kind ?? ""));
        if (ok) return File(pdf!.Pdf, "application/pdf", pdf.FileName);
        await OnGetAsync();
        return Page();
    }

    public Task<IActionResult> OnPostMarkAsync() => Give(email: false);

    public Task<IActionResult> OnPostEmailAsync() => Give(email: true);

    private async Task<IActionResult> Give(bool email)
    {
        if (!User.Allows(ConsolePolicies.Executive)) return Forbid();
        // The day as the executive gives it: noon UTC keeps it the same day in the union's zone.
        DateTimeOffset? at = email || GivenOn is not { } d ? null : new DateTimeOffset(d.ToDateTime(new TimeOnly(12, 0)), TimeSpan.Zero);
        if (at > clock.GetUtcNow()) at = clock.GetUtcNow();
        var (ok, _) = await TrySend(mediator, new GiveNotice.Command(Id, Employer ?? "", Kind!, email, at, User.BallotActor()));
        if (!ok)
        {
            await OnGetAsync();
            return Page();
        }
        Tell(email ? $"The {NoticeKinds.Describe(Kind!)} for {Employer} is queued to be emailed." : $"The {NoticeKinds.Describe(Kind!)} for {Employer} is recorded as given.");
        return Redirect($"/ballots/{Id}/notices");
    }
}
