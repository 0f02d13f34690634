using Ballot.Api.StaffConsole;
using Ballot.Core.Common;
using Ballot.Core.Mail;
using MediatR;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Mvc;

namespace Ballot.Api.Pages.Mailings;

/// <summary>Letters that failed, with the mail server's last reply (ListRecipients ?status=failed).</summary>
[Authorize(Policy = ConsolePolicies.Register)]
public sealed class FailedModel(IMediator mediator) : ConsolePageModel
{
    [FromRoute(Name = "id")] public long Id { get; set; }
    [FromQuery(Name = "page")] public int PageNumber { get; set; } = 1;

    public MailingView Mailing { get; private set; } = null!;
    public Paged<ListRecipients.RecipientView>? Failed { get; private set; }

    public async Task OnGetAsync()
    {
        Mailing = await mediator.Send(new GetMailing.Query(Id), HttpContext.RequestAborted);
        (_, Failed) = await TrySend(mediator, new ListRecipients.Query(Id, "failed", PageNumber));
    }
}
