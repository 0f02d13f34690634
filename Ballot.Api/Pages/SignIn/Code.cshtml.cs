using Ballot.Api.StaffConsole;
using Microsoft.AspNetCore.Mvc;

namespace Ballot.Api.Pages.SignIn;

/// <summary>The second step of sign-in: the authenticator app's code (Identity checks it, and counts failures to lockout).</summary>
public sealed class CodeModel(StaffSignIn signIn) : ConsolePageModel
{
    [BindProperty(Name = "code")] public string? Code { get; set; }
    [BindProperty(Name = "returnUrl", SupportsGet = true)] public string? ReturnUrl { get; set; }

    public async Task<IActionResult> OnGetAsync() => await signIn.AwaitingCodeAsync() ? Page() : Redirect("/");

    public async Task<IActionResult> OnPostAsync()
    {
        if (!await signIn.AwaitingCodeAsync())
        {
            Tell("Sign-in took too long; enter your email and password again.");
            return Redirect("/");
        }
        if (string.IsNullOrWhiteSpace(Code))
        {
            ModelState.AddModelError("code", "Enter the code from your authenticator app.");
            return Page();
        }
        if (await signIn.CodeAsync(Code) == StaffSignIn.Outcome.SignedIn)
            return LocalRedirect(IndexModel.SafeReturnUrl(ReturnUrl));
        ModelState.AddModelError("code", StaffSignIn.Refusal);
        return Page();
    }
}
