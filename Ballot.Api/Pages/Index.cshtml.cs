using Ballot.Api.StaffConsole;
using Ballot.Core.Home;
using Ballot.Core.Motions;
using Ballot.Core.Staff;
using MediatR;
using Microsoft.AspNetCore.Mvc;

namespace Ballot.Api.Pages;

/// <summary>"/": the sign-in form when signed out, what needs attention now when signed in.</summary>
public sealed class IndexModel(IMediator mediator, StaffSignIn signIn) : ConsolePageModel
{
    [BindProperty(Name = "email")] public string? Email { get; set; }
    [BindProperty(Name = "password")] public string? Password { get; set; }
    [BindProperty(Name = "returnUrl", SupportsGet = true)] public string? ReturnUrl { get; set; }

    public HomeView? Home { get; private set; }

    public sealed record HomeView(GetHome.View Attention, IReadOnlyList<InstructionView> Overdue);

    public async Task<IActionResult> OnGetAsync()
    {
        if (User.Identity?.IsAuthenticated != true) return Page();
        var attention = await mediator.Send(new GetHome.Query(User.Role()), HttpContext.RequestAborted);
        var overdue = User.IsInRole(Roles.Scrutineer) ? [] : await mediator.Send(new ListInstructions.Query("overdue"), HttpContext.RequestAborted);
        Home = new HomeView(attention, overdue);
        return Page();
    }

    public async Task<IActionResult> OnPostAsync()
    {
        if (string.IsNullOrWhiteSpace(Email)) ModelState.AddModelError("email", "Enter your email address.");
        if (string.IsNullOrEmpty(Password)) ModelState.AddModelError("password", "Enter your password.");
        if (!ModelState.IsValid) return Page();
        switch (await signIn.PasswordAsync(Email!, Password!))
        {
            case StaffSignIn.Outcome.SignedIn:
                return LocalRedirect(SafeReturnUrl(ReturnUrl));
            case StaffSignIn.Outcome.NeedsCode:
                return RedirectToPage("/SignIn/Code", new { returnUrl = SafeReturnUrl(ReturnUrl) });
            default:
                ModelState.AddModelError("email", StaffSignIn.Refusal);
                return Page();
        }
    }

    /// <summary>Only a path on this site: never an absolute or protocol-relative URL (open redirect).</summary>
    public static string SafeReturnUrl(string? url) =>
        !string.IsNullOrEmpty(url) && url.StartsWith('/') && !url.StartsWith("//") && !url.StartsWith("/\\") ? url : "/";
}
