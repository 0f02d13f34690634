using Ballot.Api.StaffConsole;
using Ballot.Core.Staff.Accounts;
using MediatR;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Mvc;

namespace Ballot.Api.Pages.Staff;

/// <summary>One account: its details, letters and history, and the changes an executive may make.</summary>
[Authorize(Policy = ConsolePolicies.Executive)]
public sealed class AccountModel(IMediator mediator) : ConsolePageModel
{
    [FromRoute(Name = "id")] public long Id { get; set; }
    [BindProperty(Name = "role")] public string? Role { get; set; }

    public GetAccount.View? View { get; private set; }

    public async Task OnGetAsync() => View = await mediator.Send(new GetAccount.Query(Id), HttpContext.RequestAborted);

    public Task<IActionResult> OnPostRoleAsync() =>
        Change(new ChangeAccount.ChangeRole(Id, Role ?? "", User.Actor()), "Role changed.");

    public Task<IActionResult> OnPostDisableAsync() =>
        Change(new ChangeAccount.Disable(Id, User.Actor()), "Account disabled: its sessions have ended.");

    public Task<IActionResult> OnPostEnableAsync() =>
        Change(new ChangeAccount.Enable(Id, User.Actor()), "Account enabled.");

    public Task<IActionResult> OnPostResetAuthenticatorAsync() =>
        Change(new ChangeAccount.ResetTwoFactor(Id, User.Actor(), Mail: true), "Authenticator reset: a letter with a new set-up link is queued.");

    public Task<IActionResult> OnPostResendAsync() =>
        Change(new ChangeAccount.ResendInvitation(Id, User.Actor()), "A new invitation is queued; the earlier link stops working when it is sent.");

    private async Task<IActionResult> Change<T>(IRequest<T> command, string notice)
    {
        var (ok, _) = await TrySend(mediator, command);
        if (ok)
        {
            Tell(notice);
            return Redirect($"/staff/{Id}");
        }
        await OnGetAsync();
        return Page();
    }
}
