using Ballot.Api.StaffConsole;
using Microsoft.AspNetCore.Mvc;

namespace Ballot.Api.Pages;

/// <summary>Sign-out is a POST (with its antiforgery token), so no link on another site can end a session.</summary>
public sealed class SignOutModel(StaffSignIn signIn) : ConsolePageModel
{
    public void OnGet() { }

    public async Task<IActionResult> OnPostAsync()
    {
        await signIn.SignOutAsync();
        Tell("You have signed out.");
        return Redirect("/");
    }
}
