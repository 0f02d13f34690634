using Ballot.Api.Auth;
using Ballot.Api.StaffConsole;
using Ballot.Core.Common;
using Ballot.Core.Mail;
using Ballot.Core.Staff;
using MediatR;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Mvc;

namespace Ballot.Api.Pages.Mailings;

/// <summary>
/// One mailing and what can be done with it now: edit and preview a draft, approve it (executive), send an approved
/// one now or at a time, cancel. The same requests as /api/mailings/{id}/...; letters of a ballot are shown read-only.
/// </summary>
[Authorize(Policy = ConsolePolicies.Register)]
public sealed class ShowModel(IMediator mediator, UnionTime time) : ConsolePageModel
{
    [FromRoute(Name = "id")] public long Id { get; set; }
    [BindProperty(Name = "sendDate")] public string? SendDate { get; set; }
    [BindProperty(Name = "sendTime")] public string? SendTime { get; set; }

    public MailingView Mailing { get; private set; } = null!;

    private string Actor => User.AuditName();

    public async Task OnGetAsync() => Mailing = await mediator.Send(new GetMailing.Query(Id), HttpContext.RequestAborted);

    public async Task<IActionResult> OnPostApproveAsync()
    {
        if (!User.IsInRole(Roles.Executive)) return StatusCode(StatusCodes.Status403Forbidden);
        return await Act(new ApproveMailing.Command(Id, Actor), "The mailing is approved. It can now be sent.");
    }

    public Task<IActionResult> OnPostSendAsync() => Act(new ScheduleMailing.Command(Id, null, Actor), "The mailing is sending.", progress: true);

    public async Task<IActionResult> OnPostScheduleAsync()
    {
        if (!DateOnly.TryParseExact(SendDate, "yyyy-MM-dd", out var date)) ModelState.AddModelError("sendDate", "Enter the date to send, for example 2026-12-01.");
        if (!TimeOnly.TryParseExact(SendTime, ["HH:mm", "HH:mm:ss"], out var clock)) ModelState.AddModelError("sendTime", "Enter the time to send, for example 09:30.");
        if (!ModelState.IsValid)
        {
            await OnGetAsync();
            return Page();
        }
        // The time is typed in the union's zone; stored times are UTC.
        var local = date.ToDateTime(clock);
        var at = new DateTimeOffset(TimeZoneInfo.ConvertTimeToUtc(local, time.Zone), TimeSpan.Zero);
        return await Act(new ScheduleMailing.Command(Id, at, Actor), $"The mailing will be sent on {time.When(at)}.");
    }

    public Task<IActionResult> OnPostCancelAsync() => Act(new CancelMailing.Command(Id), "The mailing is cancelled. Letters already sent stay sent.");

    private async Task<IActionResult> Act(IRequest<MailingView> command, string notice, bool progress = false)
    {
        var (ok, _) = await TrySend(mediator, command);
        if (!ok)
        {
            await OnGetAsync();
            return Page();
        }
        Tell(notice);
        return progress ? RedirectToPage("/Mailings/Progress", new { id = Id }) : RedirectToPage(new { id = Id });
    }
}
