using Ballot.Api.StaffConsole;
using Ballot.Core.Common;
using Ballot.Core.Members;
using MediatR;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Mvc;

namespace Ballot.Api.Pages.Employers;

/// <summary>One employer's contact email for notices and email domains (SetEmployer, as PUT /api/employers).</summary>
[Authorize(Policy = ConsolePolicies.Register)]
public sealed class EditModel(IMediator mediator) : ConsolePageModel
{
    [BindProperty(Name = "name", SupportsGet = true)] public string? Name { get; set; }
    [BindProperty(Name = "contactEmail")] public string? ContactEmail { get; set; }
    [BindProperty(Name = "domains")] public string? Domains { get; set; }

    public EmployerView? Employer { get; private set; }

    public async Task<IActionResult> OnGetAsync()
    {
        await Load();
        if (string.IsNullOrWhiteSpace(Name)) return Page();   // no employer chosen: the page says where to choose one
        if (Employer is null) return NotFound();
        ContactEmail = Employer.ContactEmail;
        Domains = string.Join("\n", Employer.Domains);
        return Page();
    }

    public async Task<IActionResult> OnPostAsync()
    {
        var domains = (Domains ?? "").Split(['\n', ',', ' '], StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        var (ok, _) = await TrySend(mediator, new SetEmployer.Command(Name ?? "", ContactEmail, domains));
        if (!ok)
        {
            await Load();
            if (Employer is null) return NotFound();
            return Page();
        }
        Tell("The employer's details are saved.");
        return Redirect($"/employers/edit?name={Uri.EscapeDataString(Name!)}");
    }

    private async Task Load()
    {
        if (string.IsNullOrWhiteSpace(Name) || Name.Length > 200) return;
        var (ok, found) = await TrySend(mediator, new ListEmployers.Query(Name, 1, 1000));
        Employer = ok ? found!.Items.FirstOrDefault(e => e.Name == Name) : null;
    }
}
