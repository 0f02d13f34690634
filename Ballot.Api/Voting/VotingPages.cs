using System.Globalization;
using System.Text;
using Ballot.Core.Ballots;
using Ballot.Core.Common;
using Ballot.Core.Mail;
using Ballot.Core.Data;
using MediatR;
using Microsoft.Extensions.Options;
using static System.Net.WebUtility;
using Ballot.Core.Ballots.Voting;

namespace Ballot.Api.Voting;

/// <summary>
/// The member's voting pages: plain server-rendered HTML forms, no JavaScript, usable on a phone and by keyboard.
/// The page never shows a choice once made; a used link only says so.
/// </summary>
public static class VotingPages
{
    public static void Map(IEndpointRouteBuilder app, CredentialGuard guard)
    {
        app.MapGet("/vote/{credential}", (string credential, HttpContext http, ElectorLookup electors, PaperCache papers, TimeProvider clock,
                IOptions<MailOptions> options, CancellationToken ct) => Show(credential, http, electors, papers, clock, options.Value, guard, ct))
            .AllowAnonymous().ExcludeFromDescription();
        app.MapPost("/vote/{credential}", (string credential, HttpContext http, IMediator mediator, PaperCache papers, ElectorLookup electors,
                IOptions<MailOptions> options, CancellationToken ct) => Submit(credential, http, mediator, papers, electors, options.Value, guard, ct))
            .AllowAnonymous().ExcludeFromDescription().DisableAntiforgery();
        PaperCodePage.Map(app, guard);
    }

    private static async Task<IResult> Show(string credential, HttpContext http, ElectorLookup electors, PaperCache papers, TimeProvider clock,
        MailOptions options, CredentialGuard guard, CancellationToken ct)
    {
        var elector = await electors.FindAsync(credential, ct);
        if (elector is null) return Refused(http, options, guard);
        var paper = await papers.GetAsync(elector.BallotId, ct);
        var now = clock.GetUtcNow();
        if (now < elector.OpensAt)
            return Page(options, 403, "Voting has not opened yet", paper.Title,
                $"<p>Voting in this ballot opens on <strong>{Html(Letters.When(elector.OpensAt))}</strong>. Keep your letter and come back to this link then.</p>");
        if (elector.Status != "open" || now >= elector.ClosesAt)
            return Closed(options, paper, elector.Status);
        if (elector.Voted != 0) return AlreadyVoted(options, paper);
        return Page(options, 200, paper.Title, null, Form(paper, credential, elector));
    }

    private static async Task<IResult> Submit(string credential, HttpContext http, IMediator mediator, PaperCache papers, ElectorLookup electors,
        MailOptions options, CredentialGuard guard, CancellationToken ct)
    {
        IFormCollection? form;
        try
        {
            form = http.Request.HasFormContentType ? await http.Request.ReadFormAsync(ct) : null;
        }
        catch (Exception e) when (e is InvalidDataException or BadHttpRequestException)
        {
            // A multipart body without a boundary, too many fields, a body too large: the client's fault, not a 500.
            return Page(options, 400, "Your vote could not be read", null,
                $"<p>The form could not be read. Nothing was recorded.</p><p><a href=\"/vote/{Html(credential)}\">Go back to the voting paper</a>.</p>");
        }
        var answers = form?.Where(f => f.Key.StartsWith("q:", StringComparison.Ordinal))
            .ToDictionary(f => f.Key[2..], f => (string?)f.Value.ToString());
        try
        {
            var receipt = await mediator.Send(new CastVote.Command(credential, answers), ct);
            var elector = await electors.FindAsync(credential, ct);
            var paper = await papers.GetAsync(elector!.BallotId, ct);
            return Page(options, 200, "Your vote is recorded", paper.Title, $"""
                <p>Thank you. Your vote has been recorded and will be counted when voting closes on {Html(Letters.When(paper.ClosesAt))}.</p>
                <p>Your receipt code is</p>
                <p class="receipt" id="receipt">{Html(receipt.Code)}</p>
                <p>Write it down. When the result is published, the list of receipts counted will include it,
                so you can check that your vote was counted. The receipt does not say how you voted, and nobody can find out from it.</p>
                <p><a href="/results/{paper.BallotId}/check">Check your receipt</a> once the result is published.</p>
                """);
        }
        catch (NotFound)
        {
            return Refused(http, options, guard);
        }
        catch (Conflict)
        {
            var elector = await electors.FindAsync(credential, ct);
            return AlreadyVoted(options, await papers.GetAsync(elector!.BallotId, ct));
        }
        catch (Forbidden)
        {
            var elector = await electors.FindAsync(credential, ct);
            var paper = await papers.GetAsync(elector!.BallotId, ct);
            return Closed(options, paper, elector.Status);
        }
        catch (ValidationFailed v)
        {
            return Page(options, 400, "Your vote could not be read", null,
                $"<p>{Html(string.Join(" ", v.Errors.SelectMany(e => e.Value)))}</p><p><a href=\"/vote/{Html(credential)}\">Go back to the voting paper</a>.</p>");
        }
    }

    private static string Form(PaperContent paper, string credential, ElectorState elector)
    {
        var sb = new StringBuilder();
        sb.Append($"<p>Voting closes on <strong>{Html(Letters.When(paper.ClosesAt))}</strong>. Your vote is secret: nobody at the union can see how you voted.</p>\n");
        if (paper.IndustrialAction is { } ia)
        {
            sb.Append("<section aria-labelledby=\"about\"><h2 id=\"about\">About this ballot</h2>\n<dl>\n");
            if (!string.IsNullOrWhiteSpace(ia.MattersInIssue)) sb.Append($"<dt>The matters in issue</dt><dd>{Html(ia.MattersInIssue)}</dd>\n");
            if (!string.IsNullOrWhiteSpace(ia.ActionShortOfStrikeTypes)) sb.Append($"<dt>Action short of a strike</dt><dd>{Html(ia.ActionShortOfStrikeTypes)}</dd>\n");
            if (!string.IsNullOrWhiteSpace(ia.Periods)) sb.Append($"<dt>When the action would take place</dt><dd>{Html(ia.Periods)}</dd>\n");
            sb.Append($"<dt>Who may call the action</dt><dd>{Html(ia.WhoMayCallAction)}</dd>\n");
            sb.Append($"<dt>Independent scrutineer</dt><dd>{Html(ia.ScrutineerName)}, {Html(ia.ScrutineerAddress)}</dd>\n");
            sb.Append($"<dt>Return your vote by</dt><dd>{Html(Letters.When(paper.ClosesAt))}</dd>\n");
            sb.Append($"<dt>Voting paper number</dt><dd>{Html($"{paper.BallotId}-{elector.CredentialHash[..10].ToUpperInvariant()}")}</dd>\n");
            sb.Append("</dl></section>\n");
        }
        sb.Append($"<form method=\"post\" action=\"/vote/{Html(credential)}\">\n");
        foreach (var q in paper.Questions)
        {
            sb.Append($"<fieldset><legend>{Html(q.Text)}</legend>\n");
            for (var i = 0; i < q.Options.Count; i++)
            {
                var id = $"{q.Id}-{i}";
                sb.Append($"<div class=\"option\"><input type=\"radio\" id=\"{Html(id)}\" name=\"q:{Html(q.Id)}\" value=\"{Html(q.Options[i])}\"><label for=\"{Html(id)}\">{Html(q.Options[i])}</label></div>\n");
            }
            sb.Append("</fieldset>\n");
        }
        if (paper.Rules is { } rules) sb.Append($"<p class=\"statement\">{Html(rules.StatutoryStatement)}</p>\n");
        sb.Append("<p>A question left unanswered is counted as a spoiled answer. You can vote only once.</p>\n");
        sb.Append("<button type=\"submit\">Cast my vote</button>\n</form>\n");
        return sb.ToString();
    }

    private static IResult AlreadyVoted(MailOptions options, PaperContent paper) =>
        Page(options, 409, "You have already voted", paper.Title,
            "<p>This voting link has already been used to vote. Each member can vote once, and a vote cannot be changed.</p>" +
            "<p>If you did not vote yourself, contact the independent scrutineer named in your letter.</p>");

    private static IResult Closed(MailOptions options, PaperContent paper, string status) =>
        Page(options, 403, "Voting has closed", paper.Title,
            $"<p>Voting in this ballot closed on {Html(Letters.When(paper.ClosesAt))}.</p>" +
            (status == "certified" ? $"<p>The result has been published: <a href=\"/results/{paper.BallotId}\">see the result</a> or <a href=\"/results/{paper.BallotId}/check\">check your receipt</a>.</p>"
                                   : "<p>The result will be sent to you once the independent scrutineer has certified it.</p>"));

    private static IResult Invalid(MailOptions options) =>
        Page(options, 404, "This link is not valid", null,
            "<p>This voting link is not valid. Check that you copied the whole link from your letter, or contact your union.</p>");

    /// <summary>A credential that failed the lookup: counted, and once the client's budget is gone answered 429 (ADR 0204).</summary>
    internal static IResult Refused(HttpContext http, MailOptions options, CredentialGuard guard) =>
        guard.Fail(http) ? TooMany(http, options) : Invalid(options);

    private static IResult TooMany(HttpContext http, MailOptions options)
    {
        http.Response.Headers.RetryAfter = ((int)CredentialGuard.RetryAfter.TotalSeconds).ToString(CultureInfo.InvariantCulture);
        return Page(options, 429, "Too many attempts", null,
            "<p>Too many voting links that are not valid were tried from your address. Wait a minute and try again.</p>");
    }

    internal static string Html(string? s) => HtmlEncode(s ?? "");

    internal static IResult Page(MailOptions options, int status, string heading, string? ballotTitle, string body)
    {
        var title = ballotTitle is null || ballotTitle == heading ? heading : $"{heading}: {ballotTitle}";
        var html = $$"""
            <!DOCTYPE html>
            <html lang="en">
            <head>
            <meta charset="utf-8">
            <meta name="viewport" content="width=device-width, initial-scale=1">
            <meta name="referrer" content="no-referrer">
            <title>{{Html(title)}} | {{Html(options.UnionName)}}</title>
            <style>
            body { font-family: system-ui, sans-serif; font-size: 1.125rem; line-height: 1.5; color: #1a1a1a; background: #fff; margin: 0; }
            header { background: #1d3557; color: #fff; padding: 0.75rem 1rem; }
            header p { margin: 0; font-weight: bold; }
            main { max-width: 40rem; margin: 0 auto; padding: 1rem; }
            h1 { font-size: 1.6rem; line-height: 1.25; }
            fieldset { border: 2px solid #444; border-radius: 6px; margin: 1rem 0; padding: 0.75rem 1rem; }
            legend { font-weight: bold; padding: 0 0.25rem; }
            .option { display: flex; align-items: center; gap: 0.6rem; margin: 0.5rem 0; }
            .option input { width: 1.5rem; height: 1.5rem; margin: 0; }
            .option label { flex: 1; padding: 0.35rem 0; }
            button { font: inherit; font-weight: bold; color: #fff; background: #1d3557; border: 0; border-radius: 6px; padding: 0.8rem 1.4rem; cursor: pointer; }
            button:focus, input:focus, a:focus { outline: 3px solid #e76f00; outline-offset: 2px; }
            a { color: #0b4f9c; }
            dt { font-weight: bold; }
            dd { margin: 0 0 0.5rem 0; }
            .statement { font-style: italic; }
            .receipt { font-family: ui-monospace, monospace; font-size: 1.6rem; font-weight: bold; letter-spacing: 0.05em; }
            </style>
            </head>
            <body>
            <header><p>{{Html(options.UnionName)}}</p></header>
            <main>
            <h1>{{Html(heading)}}</h1>
            {{(ballotTitle is not null && ballotTitle != heading ? $"<p>Ballot: <strong>{Html(ballotTitle)}</strong></p>" : "")}}
            {{body}}
            </main>
            </body>
            </html>
            """;
        return new Security.NoncedHtml(html, status);
    }
}
