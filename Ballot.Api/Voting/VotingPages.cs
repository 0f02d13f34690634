using System.Text;
using Ballot.Api.Endpoints;
using Ballot.Core.Ballots;
using Ballot.Core.Ballots.Voting;
using Ballot.Core.Common;
using Ballot.Core.Mail;
using MediatR;
using Microsoft.Extensions.Options;
using static System.Net.WebUtility;

namespace Ballot.Api.Voting;

/// <summary>
/// The member's voting pages: plain server-rendered HTML forms, no JavaScript, usable on a phone and by keyboard.
/// The page never shows a choice once made; a used link only says so.
/// </summary>
public sealed class VotingPages : IEndpoints
{
    public static void Map(IEndpointRouteBuilder app)
    {
        app.MapGet("/vote/{credential}", Show).AllowAnonymous().ExcludeFromDescription();
        app.MapPost("/vote/{credential}", Submit).AllowAnonymous().ExcludeFromDescription().DisableAntiforgery();
    }

    private static async Task<IResult> Show(string credential, HttpContext http, IMediator mediator, CredentialGuard guard,
        IOptions<MailOptions> options, CancellationToken ct)
    {
        var page = await mediator.Send(new GetVotingPage.Query(credential), ct);
        if (page is null) return Refused(http, options.Value, guard);
        var paper = page.Paper;
        return page.Stage switch
        {
            GetVotingPage.Stage.NotYetOpen => Page(options.Value, 403, "Voting has not opened yet", paper.Title,
                $"<p>Voting in this ballot opens on <strong>{Html(UnionTime.Shared.When(page.OpensAt))}</strong>. Keep your letter and come back to this link then.</p>"),
            GetVotingPage.Stage.Closed => Page(options.Value, 403, "Voting has closed", paper.Title,
                $"<p>Voting in this ballot closed on {Html(UnionTime.Shared.When(paper.ClosesAt))}.</p>" +
                (page.Certified ? $"<p>The result has been published: <a href=\"/results/{paper.BallotId}\">see the result</a> or <a href=\"/results/{paper.BallotId}/check\">check your receipt</a>.</p>"
                                : "<p>The result will be sent to you once the independent scrutineer has certified it.</p>")),
            GetVotingPage.Stage.AlreadyVoted => Page(options.Value, 409, "You have already voted", paper.Title,
                "<p>This voting link has already been used to vote. Each member can vote once, and a vote cannot be changed.</p>" +
                "<p>If you did not vote yourself, contact the independent scrutineer named in your letter.</p>"),
            _ => Page(options.Value, 200, paper.Title, null, Form(paper, credential, page.PaperNumber)),
        };
    }

    private static async Task<IResult> Submit(string credential, HttpContext http, IMediator mediator, CredentialGuard guard,
        IOptions<MailOptions> options, CancellationToken ct)
    {
        IFormCollection? form;
        try
        {
            form = http.Request.HasFormContentType ? await http.Request.ReadFormAsync(ct) : null;
        }
        catch (Exception e) when (e is InvalidDataException or BadHttpRequestException)
        {
            // A multipart body without a boundary, too many fields, a body too large: the client's fault, not a 500.
            return Page(options.Value, 400, "Your vote could not be read", null,
                $"<p>The form could not be read. Nothing was recorded.</p><p><a href=\"/vote/{Html(credential)}\">Go back to the voting paper</a>.</p>");
        }
        var answers = form?.Where(f => f.Key.StartsWith("q:", StringComparison.Ordinal))
            .ToDictionary(f => f.Key[2..], f => (string?)f.Value.ToString());
        try
        {
            var receipt = await mediator.Send(new CastVote.Command(credential, answers), ct);
            return Page(options.Value, 200, "Your vote is recorded", receipt.BallotTitle, $"""
                <p>Thank you. Your vote has been recorded and will be counted when voting closes on {Html(UnionTime.Shared.When(receipt.ClosesAt))}.</p>
                <p>Your receipt code is</p>
                <p class="receipt" id="receipt">{Html(receipt.Code)}</p>
                <p>Write it down. When the result is published, the list of receipts counted will include it,
                so you can check that your vote was counted. The receipt does not say how you voted, and nobody can find out from it.</p>
                <p><a href="/results/{receipt.BallotId}/check">Check your receipt</a> once the result is published.</p>
                """);
        }
        catch (NotFound)
        {
            return Refused(http, options.Value, guard);
        }
        catch (Exception e) when (e is Conflict or Forbidden)
        {
            // Already voted, or the ballot is not open: the page says what the link itself now shows.
            return await Show(credential, http, mediator, guard, options, ct);
        }
        catch (ValidationFailed v)
        {
            return Page(options.Value, 400, "Your vote could not be read", null,
                $"<p>{Html(string.Join(" ", v.Errors.SelectMany(e => e.Value)))}</p><p><a href=\"/vote/{Html(credential)}\">Go back to the voting paper</a>.</p>");
        }
    }

    private static string Form(PaperContent paper, string credential, string paperNumber)
    {
        var sb = new StringBuilder();
        sb.Append($"<p>Voting closes on <strong>{Html(UnionTime.Shared.When(paper.ClosesAt))}</strong>. Your vote is secret: nobody at the union can see how you voted.</p>\n");
        if (paper.IndustrialAction is { } ia)
        {
            sb.Append("<section aria-labelledby=\"about\"><h2 id=\"about\">About this ballot</h2>\n<dl>\n");
            if (!string.IsNullOrWhiteSpace(ia.MattersInIssue)) sb.Append($"<dt>The matters in issue</dt><dd>{Html(ia.MattersInIssue)}</dd>\n");
            if (!string.IsNullOrWhiteSpace(ia.ActionShortOfStrikeTypes)) sb.Append($"<dt>Action short of a strike</dt><dd>{Html(ia.ActionShortOfStrikeTypes)}</dd>\n");
            if (!string.IsNullOrWhiteSpace(ia.Periods)) sb.Append($"<dt>When the action would take place</dt><dd>{Html(ia.Periods)}</dd>\n");
            sb.Append($"<dt>Who may call the action</dt><dd>{Html(ia.WhoMayCallAction)}</dd>\n");
            sb.Append($"<dt>Independent scrutineer</dt><dd>{Html(ia.ScrutineerName)}, {Html(ia.ScrutineerAddress)}</dd>\n");
            sb.Append($"<dt>Return your vote by</dt><dd>{Html(UnionTime.Shared.When(paper.ClosesAt))}</dd>\n");
            sb.Append($"<dt>Voting paper number</dt><dd>{Html(paperNumber)}</dd>\n");
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

    /// <summary>A credential that failed the lookup: counted, and once the client's budget is gone answered 429 (ADR 0204).</summary>
    internal static IResult Refused(HttpContext http, MailOptions options, CredentialGuard guard) =>
        guard.Fail(http)
            ? Page(options, 429, "Too many attempts", null,
                "<p>Too many voting links that are not valid were tried from your address. Wait a minute and try again.</p>")
            : Page(options, 404, "This link is not valid", null,
                "<p>This voting link is not valid. Check that you copied the whole link from your letter, or contact your union.</p>");

    internal static string Html(string? s) => HtmlEncode(s ?? "");

    internal static IResult Page(MailOptions options, int status, string heading, string? ballotTitle, string body)
    {
        var named = ballotTitle is not null && ballotTitle != heading;
        var html = PageShell.Render(options.UnionName, named ? $"{heading}: {ballotTitle}" : heading, heading,
            named ? $"<p>Ballot: <strong>{Html(ballotTitle)}</strong></p>\n{body}" : body);
        return new Security.NoncedHtml(html, status);
    }
}
