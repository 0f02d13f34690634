using Ballot.Api.StaffConsole;
using Ballot.Core.Motions;
using MediatR;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Mvc;

namespace Ballot.Api.Pages.Motions;

/// <summary>Conferences; the Executive records a new one.</summary>
[Authorize(Policy = ConsolePolicies.Register)]
public sealed class ConferencesModel(IMediator mediator) : ConsolePageModel
{
    public IReadOnlyList<ConferenceView> Conferences { get; private set; } = [];

    [BindProperty(Name = "name")] public string? Name { get; set; }
    [BindProperty(Name = "place")] public string? Place { get; set; }
    [BindProperty(Name = "startsOn")] public DateOnly? StartsOn { get; set; }
    [BindProperty(Name = "endsOn")] public DateOnly? EndsOn { get; set; }

    public async Task OnGetAsync() => Conferences = await mediator.Send(new ListConferences.Query(), HttpContext.RequestAborted);

    public async Task<IActionResult> OnPostAsync()
    {
        if (!User.Allows(ConsolePolicies.Executive)) return Forbid();
        // A date the browser could not send as yyyy-mm-dd arrives as a binding error: say so beside the field.
        foreach (var field in new[] { "startsOn", "endsOn" })
            if (ModelState.TryGetValue(field, out var e) && e.Errors.Count > 0)
            {
                e.Errors.Clear();
                ModelState.AddModelError(field, "Enter the date as day, month and year.");
            }
        if (ModelState.IsValid)
        {
            var (ok, created) = await TrySend(mediator, new CreateConference.Command(Name, Place, StartsOn, EndsOn));
            if (ok)
            {
                Tell($"Conference recorded: {created!.Name}.");
                return Redirect($"/conferences/{created.Id}");
            }
        }
        await OnGetAsync();
        return Page();
    }
}
