using Ballot.Api.StaffConsole;
using Ballot.Core.Staff.Accounts;
using MediatR;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Mvc;

namespace Ballot.Api.Pages.Staff;

/// <summary>Creates the account and queues the invitation letter; the worker sends it with a fresh one-time link.</summary>
[Authorize(Policy = ConsolePolicies.Executive)]
public sealed class InviteModel(IMediator mediator) : ConsolePageModel
{
    [BindProperty(Name = "name")] public string? Name { get; set; }
    [BindProperty(Name = "email")] public string? Email { get; set; }
    [BindProperty(Name = "role")] public string? Role { get; set; }

    public void OnGet() { }

    public async Task<IActionResult> OnPostAsync()
    {
        var (ok, created) = await TrySend(mediator, new CreateAccount.Command(Email ?? "", Name ?? "", Role ?? "", User.Actor(), Invite: true));
        if (!ok) return Page();
        Tell($"Invitation to {created!.Email} queued: the worker sends it in a moment.");
        return Redirect($"/staff/{created.Id}");
    }
}
