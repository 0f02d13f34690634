using Ballot.Api.StaffConsole;
using Ballot.Core.Staff;
using MediatR;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Mvc;

namespace Ballot.Api.Pages.Tokens;

/// <summary>The same token use cases as `tokens create|list|revoke`. A new token is shown in the response, never stored.</summary>
[Authorize(Policy = ConsolePolicies.Executive)]
public sealed class IndexModel(IMediator mediator) : ConsolePageModel
{
    [BindProperty(Name = "name")] public string? Name { get; set; }
    [BindProperty(Name = "role")] public string? Role { get; set; }

    public IReadOnlyList<ListTokens.TokenView> Tokens { get; private set; } = [];
    public CreateToken.Created? Created { get; private set; }

    public async Task OnGetAsync() => Tokens = await mediator.Send(new ListTokens.Query(), HttpContext.RequestAborted);

    public async Task<IActionResult> OnPostCreateAsync()
    {
        (_, Created) = await TrySend(mediator, new CreateToken.Command(Role ?? "", Name ?? ""));
        if (Created is not null) Name = Role = null;
        await OnGetAsync();
        return Page();
    }

    public async Task<IActionResult> OnPostRevokeAsync(long tokenId)
    {
        var (ok, _) = await TrySend(mediator, new RevokeToken.Command(tokenId));
        if (!ok)
        {
            await OnGetAsync();
            return Page();
        }
        Tell("Token revoked: programs using it are refused from now on.");
        return Redirect("/tokens");
    }
}
