using Ballot.Api.Auth;
using Ballot.Api.StaffConsole;
using Ballot.Core.Members;
using MediatR;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Mvc;

namespace Ballot.Api.Pages.Members;

/// <summary>One member: details, and a form to change email, workplace and status (UpdateMember, as PATCH /api/members/{n}).</summary>
[Authorize(Policy = ConsolePolicies.Register)]
public sealed class ShowModel(IMediator mediator) : ConsolePageModel
{
    [FromRoute(Name = "number")] public string Number { get; set; } = "";
    [BindProperty(Name = "email")] public string? Email { get; set; }
    [BindProperty(Name = "workplaceId")] public long? WorkplaceId { get; set; }
    [BindProperty(Name = "status")] public string? Status { get; set; }

    [BindProperty(Name = "line1")] public string? Line1 { get; set; }
    [BindProperty(Name = "line2")] public string? Line2 { get; set; }
    [BindProperty(Name = "line3")] public string? Line3 { get; set; }
    [BindProperty(Name = "town")] public string? Town { get; set; }
    [BindProperty(Name = "postcode")] public string? Postcode { get; set; }
    [BindProperty(Name = "emailKind")] public string? EmailKind { get; set; }

    public MemberView Member { get; private set; } = null!;

    public async Task OnGetAsync()
    {
        await Load();
        Email = Member.Email;
        WorkplaceId = Member.Workplace.Id;
        Status = Member.Status;
        (Line1, Line2, Line3, Town, Postcode) = (Member.Home?.Line1, Member.Home?.Line2, Member.Home?.Line3, Member.Home?.Town, Member.Home?.Postcode);
        EmailKind = Member.EmailKind;
    }

    /// <summary>The home address voting papers are posted to, and whether the email is personal or work (SetHomeAddress).</summary>
    public async Task<IActionResult> OnPostAddressAsync()
    {
        var (ok, _) = await TrySend(mediator, new SetHomeAddress.Command(Number, Line1, Line2, Line3, Town, Postcode, EmailKind, User.Staff()));
        if (!ok)
        {
            await Load();
            return Page();
        }
        Tell("The member's home address is saved.");
        return RedirectToPage(new { number = Number });
    }

    public async Task<IActionResult> OnPostAsync()
    {
        if (!ModelState.IsValid)
        {
            await Load();
            return Page();
        }
        // A blank email leaves it as it is: the register has no member without one, except erased members.
        var email = string.IsNullOrWhiteSpace(Email) ? null : Email.Trim();
        var (ok, _) = await TrySend(mediator, new UpdateMember.Command(Number, email, WorkplaceId, Status, User.Staff()));
        if (!ok)
        {
            await Load();
            return Page();
        }
        Tell("The member's details are saved.");
        return RedirectToPage(new { number = Number });
    }

    private async Task Load() => Member = await mediator.Send(new GetMember.Query(Number), HttpContext.RequestAborted);
}
