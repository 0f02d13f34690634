using Ballot.Api.StaffConsole;
using Ballot.Core.Common;
using Ballot.Core.Mail;
using MediatR;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Mvc;

namespace Ballot.Api.Pages.Mailings;

/// <summary>
/// A mailing while the worker sends it: recipients, sent, failed, rate and time left. Without script a Refresh link;
/// with it, wwwroot/js/progress.js reads ?handler=status every two seconds until the mailing is finished.
/// </summary>
[Authorize(Policy = ConsolePolicies.Register)]
public sealed class ProgressModel(IMediator mediator, TimeProvider clock) : ConsolePageModel
{
    [FromRoute(Name = "id")] public long Id { get; set; }

    public MailingView Mailing { get; private set; } = null!;
    public Figures Now { get; private set; } = null!;

    public sealed record Figures(string Status, long Recipients, long Sent, long Failed, long Waiting, int Percent, string Rate, string TimeLeft, bool Finished);

    public async Task OnGetAsync()
    {
        Mailing = await mediator.Send(new GetMailing.Query(Id), HttpContext.RequestAborted);
        Now = Measure(Mailing, clock.GetUtcNow());
    }

    public async Task<IActionResult> OnGetStatusAsync()
    {
        await OnGetAsync();
        Response.Headers.CacheControl = "no-store";
        return new JsonResult(Now);
    }

    /// <summary>The rate is letters done per minute since sending began (the mailing's send time); time left follows from it.</summary>
    public static Figures Measure(MailingView m, DateTimeOffset now)
    {
        var p = m.Progress;
        var done = p.Sent + p.Failed;
        var waiting = p.Pending + p.Sending;
        var percent = p.Recipients == 0 ? 0 : (int)(100 * (done + p.Cancelled) / p.Recipients);
        var elapsed = m.SendAt is { } start && now > start ? now - start : TimeSpan.Zero;
        var perMinute = elapsed.TotalSeconds >= 1 && done > 0 ? done / elapsed.TotalMinutes : 0;
        var finished = m.Status is "sent" or "cancelled";
        var rate = perMinute > 0 ? $"{perMinute:N0} letters a minute" : "not measured yet";
        var left = finished || waiting == 0 ? "none"
            : perMinute > 0 ? UnionTime.Remaining(TimeSpan.FromMinutes(waiting / perMinute))
            : m.Status == "scheduled" && m.SendAt > now ? "starts at the scheduled time" : "not known yet";
        return new Figures(m.Status, p.Recipients, p.Sent, p.Failed, waiting, percent, rate, left, finished);
    }

    public async Task<IActionResult> OnPostCancelAsync()
    {
        var (ok, _) = await TrySend(mediator, new CancelMailing.Command(Id));
        if (!ok)
        {
            await OnGetAsync();
            return Page();
        }
        Tell("The mailing is cancelled. Letters already sent stay sent.");
        return RedirectToPage(new { id = Id });
    }
}
