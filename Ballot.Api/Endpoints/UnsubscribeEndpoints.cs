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
            return Html(mail, 404, "Link not recognised", $"<p>This unsubscribe link is not valid. If you copied it from a letter, check that it is complete.</p>");
        if (state == true)
            return Html(mail, 200, "You are unsubscribed", $"<p>You no longer receive campaign mail from {union}. Ballot papers and other letters the law requires still reach you.</p>");
        var action = "/unsubscribe/" + Uri.EscapeDataString(token);
        return Html(mail, 200, "Unsubscribe from campaign mail",
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
            return Html(mail, 404, "Link not recognised", "<p>This unsubscribe link is not valid. If you copied it from a letter, check that it is complete.</p>");
        }
        var union = HtmlEncoder.Default.Encode(mail.Value.UnionName);
        return Html(mail, 200, "You are unsubscribed", $"<p>You will receive no more campaign mail from {union}. Ballot papers and other letters the law requires still reach you.</p>");
    }

    private static IResult Html(IOptions<MailOptions> mail, int status, string title, string body) =>
        new Security.NoncedHtml(PageShell.Render(mail.Value.UnionName, title, title, body), status);
}
