using Ballot.Api.StaffConsole;
using Ballot.Core.Mail;
using MediatR;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Mvc;

namespace Ballot.Api.Pages.Mailings;

/// <summary>Change a draft (UpdateMailing, as PATCH /api/mailings/{id}); Core refuses once it is approved.</summary>
[Authorize(Policy = ConsolePolicies.Register)]
public sealed class EditModel(IMediator mediator) : MailingFormModel(mediator)
{
    [FromRoute(Name = "id")] public long Id { get; set; }

    public async Task OnGetAsync()
    {
        Fill(await Mediator.Send(new GetMailing.Query(Id), HttpContext.RequestAborted));
        await LoadChoices();
    }

    public async Task<IActionResult> OnPostAsync()
    {
        // Empty lists are sent as empty (not absent), so unticking every box widens the audience again.
        var audience = Audience with { Regions = Regions, Categories = Categories, Employers = Audience.Employers ?? [] };
        var (ok, _) = await TrySend(Mediator, new UpdateMailing.Command(Id, Subject, BodyMarkdown, ReplyTo ?? "", audience));
        if (!ok)
        {
            await LoadChoices();
            return Page();
        }
        Tell("The draft is saved.");
        return RedirectToPage("/Mailings/Show", new { id = Id });
    }
}
