using Ballot.Api.Auth;
using Ballot.Api.StaffConsole;
using Ballot.Core.Members;
using MediatR;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Mvc;

namespace Ballot.Api.Pages.Members;

/// <summary>Says what erasure removes and what it keeps, then erases (EraseMember, as DELETE /api/members/{n}).</summary>
[Authorize(Policy = ConsolePolicies.Register)]
public sealed class EraseModel(IMediator mediator) : ConsolePageModel
{
    [FromRoute(Name = "number")] public string Number { get; set; } = "";

    public MemberView Member { get; private set; } = null!;

    public async Task OnGetAsync() => Member = await mediator.Send(new GetMember.Query(Number), HttpContext.RequestAborted);

    public async Task<IActionResult> OnPostAsync()
    {
        var (ok, _) = await TrySend(mediator, new EraseMember.Command(Number, User.Staff()));
        if (!ok)
        {
            await OnGetAsync();
            return Page();
        }
        Tell($"The personal data of member {Number} is erased.");
        return RedirectToPage("/Members/Show", new { number = Number });
    }
}
