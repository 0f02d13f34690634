using Ballot.Api.StaffConsole;
using Ballot.Core.Leaflets;
using MediatR;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Mvc;

namespace Ballot.Api.Pages.Leaflets;

/// <summary>Local contacts printed on leaflets: a school's own, else its region's.</summary>
[Authorize(Policy = ConsolePolicies.Register)]
public sealed class ContactsModel(IMediator mediator) : ConsolePageModel
{
    public IReadOnlyList<ContactView> Contacts { get; private set; } = [];

    [BindProperty(Name = "workplaceId")] public long? WorkplaceId { get; set; }
    [BindProperty(Name = "region")] public string? Region { get; set; }
    [BindProperty(Name = "name")] public string? Name { get; set; }
    [BindProperty(Name = "email")] public string? Email { get; set; }
    [BindProperty(Name = "phone")] public string? Phone { get; set; }

    public async Task OnGetAsync() => Contacts = await mediator.Send(new ListContacts.Query(), HttpContext.RequestAborted);

    public async Task<IActionResult> OnPostAsync()
    {
        if (ModelState.TryGetValue("workplaceId", out var e) && e.Errors.Count > 0)
        {
            e.Errors.Clear();
            ModelState.AddModelError("workplaceId", "Enter the school's number, in figures.");
        }
        else
        {
            try
            {
                var (ok, saved) = await TrySend(mediator, new SetContact.Command(WorkplaceId, Blank(Region), Name, Blank(Email), Blank(Phone)));
                if (ok)
                {
                    Tell($"{saved!.Name} is the local contact for {saved.Workplace ?? saved.Region}.");
                    return Redirect("/leaflets/contacts");
                }
            }
            catch (Ballot.Core.Common.NotFound nf)
            {
                ModelState.AddModelError(WorkplaceId is null ? "region" : "workplaceId", nf.Message);
            }
        }
        await OnGetAsync();
        return Page();
    }

    private static string? Blank(string? s) => string.IsNullOrWhiteSpace(s) ? null : s.Trim();
}
