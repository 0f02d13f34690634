using Ballot.Api.StaffConsole;
using Ballot.Core.Mail;
using MediatR;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Mvc;

namespace Ballot.Api.Pages.Mailings;

/// <summary>
/// The HTML part alone, for the preview's sandboxed frame. Its own policy forbids everything but the letter's inline
/// styles and images, and sandboxes the document even when it is opened directly, so a letter can run no script here.
/// </summary>
[Authorize(Policy = ConsolePolicies.Register)]
public sealed class LetterHtmlModel(IMediator mediator) : ConsolePageModel
{
    public const string Policy = "default-src 'none'; style-src 'unsafe-inline'; img-src data: https:; sandbox; frame-ancestors 'self'; base-uri 'none'; form-action 'none'";

    public async Task<IActionResult> OnGetAsync(long id, string? member)
    {
        var letter = await mediator.Send(new PreviewMailing.Query(id, member), HttpContext.RequestAborted);
        Response.Headers.ContentSecurityPolicy = Policy;
        Response.Headers.XContentTypeOptions = "nosniff";
        Response.Headers.CacheControl = "no-store";
        return Content(letter.Html, "text/html; charset=utf-8");
    }
}
