using Ballot.Api.StaffConsole;
using Ballot.Core.Mail;
using MediatR;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Mvc;

namespace Ballot.Api.Pages.Mailings;

/// <summary>
/// The letter a chosen member would get (PreviewMailing, as GET /api/mailings/{id}/preview): the HTML part in a
/// sandboxed frame served by <see cref="LetterHtmlModel"/>, and the text part. Sends a test copy (SendTestCopy).
/// </summary>
[Authorize(Policy = ConsolePolicies.Register)]
public sealed class PreviewModel(IMediator mediator) : ConsolePageModel
{
    [FromRoute(Name = "id")] public long Id { get; set; }
    [BindProperty(Name = "member", SupportsGet = true)] public string? Member { get; set; }
    [BindProperty(Name = "email")] public string? Email { get; set; }

    public MailingView Mailing { get; private set; } = null!;
    public PreviewMailing.Preview? Letter { get; private set; }

    public async Task OnGetAsync()
    {
        Mailing = await mediator.Send(new GetMailing.Query(Id), HttpContext.RequestAborted);
        if (string.IsNullOrWhiteSpace(Member)) return;
        try
        {
            (_, Letter) = await TrySend(mediator, new PreviewMailing.Query(Id, Member));
        }
        catch (Ballot.Core.Common.NotFound e)
        {
            ModelState.AddModelError("member", e.Message);
        }
    }

    public async Task<IActionResult> OnPostTestAsync()
    {
        var (ok, sent) = await TrySend(mediator, new SendTestCopy.Command(Id, Email, Member, $"{User.Role()}:{User.DisplayName()}"));
        if (!ok)
        {
            await OnGetAsync();
            return Page();
        }
        Tell($"A test copy, rendered for member {sent!.RenderedFor}, is on its way to {sent.To}.");
        return RedirectToPage(new { id = Id, member = Member });
    }
}
