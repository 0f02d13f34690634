using Ballot.Api.Endpoints;
using Ballot.Core.Ballots.Papers;
using Ballot.Core.Mail;
using MediatR;
using Microsoft.Extensions.Options;

namespace Ballot.Api.Voting;

/// <summary>
/// /vote: where a member types the short code printed on their voting paper (hybrid and electronic ballots). A code that
/// a paper carries leads to the member's own voting link, the one their letter and the paper's QR code carry; a code
/// that none carries counts against the client like an unknown link (ADR 0204, arithmetic in ADR 0611).
/// </summary>
public sealed class PaperCodePage : IEndpoints
{
    public static void Map(IEndpointRouteBuilder app)
    {
        app.MapGet("/vote", (IOptions<MailOptions> options) => Form(options.Value, 200, null)).AllowAnonymous().ExcludeFromDescription();
        app.MapPost("/vote", Submit).AllowAnonymous().ExcludeFromDescription().DisableAntiforgery();
    }

    private static IResult Form(MailOptions options, int status, string? problem) =>
        VotingPages.Page(options, status, "Vote with the code on your voting paper", null, $"""
            {(problem is null ? "" : $"<p role=\"alert\"><strong>{VotingPages.Html(problem)}</strong></p>")}
            <form method="post" action="/vote">
            <p><label for="code">The code printed beside the QR code on your voting paper (16 letters and numbers)</label></p>
            <p><input id="code" name="code" type="text" autocomplete="off" autocapitalize="characters" spellcheck="false" inputmode="text"
               maxlength="40" size="24" aria-describedby="code-hint" required></p>
            <p id="code-hint">For example ABCD-EFGH-JKMN-PQRS. Capitals and dashes do not matter.</p>
            <p><button type="submit">Continue to my voting paper</button></p>
            </form>
            <p>You can vote once: online or by posting your paper back. If you have already voted, your paper is not counted again.</p>
            """);

    private static async Task<IResult> Submit(HttpContext http, IMediator mediator, CredentialGuard guard, IOptions<MailOptions> mail, CancellationToken ct)
    {
        var options = mail.Value;
        string? code;
        try
        {
            code = http.Request.HasFormContentType ? (await http.Request.ReadFormAsync(ct))["code"].ToString() : null;
        }
        catch (Exception e) when (e is InvalidDataException or BadHttpRequestException)
        {
            return Form(options, 400, "The form could not be read. Type the code again.");
        }
        if (PaperCodes.Normalize(code) is null)
            return Form(options, 400, "That is not a code from a voting paper: it has 16 letters and numbers, such as ABCD-EFGH-JKMN-PQRS.");
        var credential = await mediator.Send(new FindPaperCode.Query(code), ct);
        if (credential is null) return VotingPages.Refused(http, options, guard);
        return Results.Redirect("/vote/" + credential, permanent: false, preserveMethod: false);
    }
}
