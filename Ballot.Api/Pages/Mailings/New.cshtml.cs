using Ballot.Api.StaffConsole;
using Ballot.Core.Mail;
using MediatR;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Mvc;

namespace Ballot.Api.Pages.Mailings;

/// <summary>Write a mailing (CreateMailing, as POST /api/mailings); it starts as a draft for the executive to approve.</summary>
[Authorize(Policy = ConsolePolicies.Register)]
public sealed class NewModel(IMediator mediator) : MailingFormModel(mediator)
{
    public async Task OnGetAsync() => await LoadChoices();

    public async Task<IActionResult> OnPostAsync()
    {
        var (ok, created) = await TrySend(Mediator, new CreateMailing.Command(Subject, BodyMarkdown, ReplyTo, Audience, $"{User.Role()}:{User.DisplayName()}"));
        if (!ok)
        {
            await LoadChoices();
            return Page();
        }
        Tell("The mailing is saved as a draft.");
        return RedirectToPage("/Mailings/Show", new { id = created!.Id });
    }
}
