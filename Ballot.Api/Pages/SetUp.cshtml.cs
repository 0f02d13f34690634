using Ballot.Api.StaffConsole;
using Ballot.Core.Staff.Accounts;
using MediatR;
using Microsoft.AspNetCore.Mvc;
using QRCoder;

namespace Ballot.Api.Pages;

/// <summary>The one-time set-up link from `staff create` or an invitation letter: choose a password, set up the authenticator.</summary>
public sealed class SetUpModel(IMediator mediator) : ConsolePageModel
{
    [FromRoute(Name = "token")] public string Token { get; set; } = "";
    [BindProperty(Name = "password")] public string? Password { get; set; }
    [BindProperty(Name = "confirmPassword")] public string? ConfirmPassword { get; set; }
    [BindProperty(Name = "code")] public string? Code { get; set; }

    public SetUpAccount.View? View { get; private set; }
    public string? QrSvg { get; private set; }

    public async Task<IActionResult> OnGetAsync()
    {
        await Load();
        return Page();
    }

    public async Task<IActionResult> OnPostAsync()
    {
        var (ok, _) = await TrySend(mediator, new SetUpAccount.Command(Token, Password, ConfirmPassword, Code));
        if (ok)
        {
            Tell("Your account is ready. Sign in with your email address and new password.");
            return Redirect("/");
        }
        await Load();
        return Page();
    }

    private async Task Load()
    {
        View = await mediator.Send(new SetUpAccount.Query(Token), HttpContext.RequestAborted);
        if (View is null)
        {
            Response.StatusCode = StatusCodes.Status404NotFound;
            return;
        }
        if (View.AuthenticatorUri is not null)
        {
            using var data = new QRCodeGenerator().CreateQrCode(View.AuthenticatorUri, QRCodeGenerator.ECCLevel.M);
            QrSvg = new SvgQRCode(data).GetGraphic(4, "#000000", "#ffffff", drawQuietZones: true, sizingMode: SvgQRCode.SizingMode.ViewBoxAttribute);
        }
    }
}
