using System.Text.Encodings.Web;
using Ballot.Core.Common;
using Ballot.Core.Mail;
using MediatR;
using Microsoft.Extensions.Options;

namespace Ballot.Api.Endpoints;

/// <summary>
/// The personal unsubscribe link of campaign letters. GET shows a page with a button (link scanners fetch GETs, so a
/// GET changes nothing); POST unsubscribes, both from that button and from a mail client's RFC 8058 one-click POST.
/// </summary>
public sealed class UnsubscribeEndpoints : IEndpoints
{
    public static void Map(IEndpointRouteBuilder app)
    {
        var g = app.MapGroup("/unsubscribe").WithTags("Mailings").AllowAnonymous();
        g.MapGet("/{token}", Page).WithSummary("The unsubscribe page of a campaign letter's personal link.");
        g.MapPost("/{token}", Confirm).WithSummary("Unsubscribe from campaign mail (the page's button, or RFC 8058 one-click).").DisableAntiforgery();
    }

    private static async Task<IResult> Page(string token, IMediator mediator, IOptions<MailOptions> mail, CancellationToken ct)
    {
        var state = await mediator.Send(new Unsubscribe.Check(token), ct);
        var union = HtmlEncoder.Default.Encode(mail.Value.UnionName);
        if (state is null)
            return Html(404, "Link not recognised", $"<p>This unsubscribe link is not valid. If you copied it from a letter, check that it is complete.</p>");
        if (state == true)
            return Html(200, "You are unsubscribed", $"<p>You no longer receive campaign mail from {union}. Ballot papers and other letters the law requires still reach you.</p>");
        var action = "/unsubscribe/" + Uri.EscapeDataString(token);
        return Html(200, "Unsubscribe from campaign mail",
            $"""
            <p>Stop campaign letters from {union} to this address? Ballot papers and other letters the law requires will still reach you.</p>
            <form method="post" action="{HtmlEncoder.Default.Encode(action)}"><button type="submit">Unsubscribe</button></form>
            """);
    }

    private static async Task<IResult> Confirm(string token, IMediator mediator, IOptions<MailOptions> mail, CancellationToken ct)
    {
        try
        {
            await mediator.Send(new Unsubscribe.Command(token), ct);
        }
        catch (NotFound)
        {
            return Html(404, "Link not recognised", "<p>This unsubscribe link is not valid. If you copied it from a letter, check that it is complete.</p>");
        }
        var union = HtmlEncoder.Default.Encode(mail.Value.UnionName);
        return Html(200, "You are unsubscribed", $"<p>You will receive no more campaign mail from {union}. Ballot papers and other letters the law requires still reach you.</p>");
    }

    private static IResult Html(int status, string title, string body) => new Security.NoncedHtml(
        $$"""
        <!DOCTYPE html>
        <html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
        <meta name="referrer" content="no-referrer">
        <title>{{title}}</title>
        <style>body { font-family: system-ui, sans-serif; max-width: 36em; margin: 3em auto; padding: 0 1em; line-height: 1.5; }
        button { font-size: 1.1em; padding: .5em 1.2em; }</style></head>
        <body><main><h1>{{title}}</h1>
        {{body}}
        </main></body></html>
        """, status);
}
