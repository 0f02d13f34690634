using Ballot.Api.StaffConsole;
using Ballot.Core.Ballots;
using MediatR;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Mvc;

namespace Ballot.Api.Pages.Ballots;

/// <summary>
/// The scrutineer's desk: the audit chain as a timeline, its verification (what was checked), and certification, whose
/// refusal is CertifyBallot's own message naming what failed.
/// </summary>
[Authorize(Policy = ConsolePolicies.Oversight)]
public sealed class AuditModel(IMediator mediator) : ConsolePageModel
{
    [FromRoute(Name = "id")] public long Id { get; set; }

    public BallotView Ballot { get; private set; } = null!;
    public IReadOnlyList<GetAudit.Entry> Entries { get; private set; } = [];
    public Ballot.Core.Ballots.Audit.Verification? Verification { get; private set; }

    public async Task OnGetAsync() => await Load();

    /// <summary>Verification only reads; a GET form, so the answer can be bookmarked and reloaded.</summary>
    public async Task OnGetVerifyAsync()
    {
        await Load();
        Verification = await mediator.Send(new VerifyAudit.Query(Id), HttpContext.RequestAborted);
    }

    public async Task<IActionResult> OnPostCertifyAsync()
    {
        if (!User.Allows(ConsolePolicies.Scrutineer)) return Forbid();
        var (ok, _) = await TrySend(mediator, new CertifyBallot.Command(Id, User.BallotActor()));
        if (!ok)
        {
            await Load();
            return Page();
        }
        Tell("Certified: the result is published and signed.");
        return Redirect($"/ballots/{Id}/result");
    }

    private async Task Load()
    {
        Ballot = await mediator.Send(new GetBallot.Query(Id), HttpContext.RequestAborted);
        Entries = await mediator.Send(new GetAudit.Query(Id), HttpContext.RequestAborted);
    }

    /// <summary>The timeline's one line per event, in words; the entry's data follows it as recorded.</summary>
    public static string Describe(string ev) => ev switch
    {
        "created" => "Drafted",
        "edited" => "Draft edited",
        "opened" => "Opened: electorate frozen",
        "letters-queued" => "Voting letters queued",
        "reminders-queued" or "reminder-queued" => "Reminders queued",
        "reminders-cancelled" => "Unsent reminders cancelled",
        "closed" => "Voting closed",
        "summed" => "Sealed papers added up for the trustees",
        "decryption-received" => "A trustee's partial decryptions received and checked",
        "counted" => "Counted from the trustees' decryptions",
        "certified" => "Certified by the scrutineer",
        _ => ev,
    };
}
