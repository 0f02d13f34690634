using Ballot.Core.Common;
using System.Globalization;
using System.Text;
using Ballot.Core.Mail;
using Microsoft.Extensions.Options;

namespace Ballot.Core.Ballots;

/// <summary>
/// The ballot's letters, as Markdown with Liquid merge fields the mail renderer fills per member. Text staff or members
/// typed (titles, questions, workplaces) goes through <see cref="Raw"/> so it is never run as a template.
/// </summary>
public static partial class Letters
{
    public const string Source = "ballot";

    public sealed record Letter(string Subject, string Body);

    /// <summary>
    /// Typed text as a template that prints it exactly. Every "{" is printed by a Liquid expression outside the raw
    /// blocks, so the text inside them holds no "{": no tag, {% endraw %} included, can form there, however the text
    /// nests or splits it. Removing "endraw" instead was beaten by nesting one inside another (issue 11, flaw 8).
    /// </summary>
    public static string Raw(string? text)
    {
        if (string.IsNullOrEmpty(text)) return "";
        var sb = new StringBuilder(text.Length + 32);
        var parts = text.Split('{');
        for (var i = 0; i < parts.Length; i++)
        {
            if (i > 0) sb.Append("{{ '{' }}");
            if (parts[i].Length > 0) sb.Append("{% raw %}").Append(parts[i]).Append("{% endraw %}");
        }
        return sb.ToString();
    }

    /// <summary>
    /// Compiles the letter as the worker will, so a template error fails the request that queues it (before anything
    /// commits) rather than every send run afterwards.
    /// </summary>
    public static Letter Checked(Letter letter)
    {
        LetterTemplate.Compile(letter.Subject, letter.Body);
        return letter;
    }

    /// <summary>In the union's time zone ("Tuesday 1 December 2026 at 13:49 GMT"): letters, voting pages and notices.</summary>
    public static string When(DateTimeOffset t) => UnionTime.Shared.When(t);

    public static Letter VotingLetter(BallotRow ballot, RuleSet? rules)
    {
        var sb = new StringBuilder();
        sb.Append("Dear {{ member.first_name }},\n\n");
        sb.Append($"You are entitled to vote in the ballot **{Raw(ballot.Title)}**. Voting is secret: nobody at the union can see how you voted.\n\n");
        sb.Append("Vote online with your personal link (do not share it):\n\n{{ vote_url }}\n\n");
        sb.Append($"Voting closes on **{When(ballot.ClosesAt)}**.\n\n");
        AppendPaper(sb, ballot, rules);
        return new Letter($"Your vote: {Raw(ballot.Title)}", sb.ToString());
    }

    public static Letter Reminder(BallotRow ballot, int daysLeft)
    {
        var sb = new StringBuilder();
        sb.Append("Dear {{ member.first_name }},\n\n");
        sb.Append($"You have not yet voted in the ballot **{Raw(ballot.Title)}**. Voting closes on **{When(ballot.ClosesAt)}**");
        sb.Append(daysLeft > 0 ? $", in {daysLeft} day{(daysLeft == 1 ? "" : "s")}.\n\n" : ".\n\n");
        sb.Append("Your personal voting link is the same as in your voting letter:\n\n{{ vote_url }}\n\n");
        sb.Append("If you have voted since this reminder was sent, thank you: the link will say so.\n");
        return new Letter($"Reminder: vote by {ballot.ClosesAt.UtcDateTime:d MMMM} in {Raw(ballot.Title)}", sb.ToString());
    }

    /// <summary>The s.231 notice: every figure of every question and constituency.</summary>
    public static Letter ResultNotice(BallotRow ballot, BallotResult result)
    {
        var sb = new StringBuilder();
        sb.Append("Dear {{ member.first_name }},\n\n");
        sb.Append($"The independent scrutineer has certified the result of the ballot **{Raw(ballot.Title)}**, which closed on {When(ballot.ClosesAt)}.\n\n");
        AppendFigures(sb, result, includeYesNo: true);
        sb.Append("\nYou can check that your vote was counted with the receipt code you were shown when you voted:\n\n{{ receipt_check_url }}\n\n");
        sb.Append("The published result: {{ result_url }}\n");
        return new Letter($"Result: {Raw(ballot.Title)}", sb.ToString());
    }

    /// <param name="template">false for a plain Markdown document (the employers' notice): names are written as typed.</param>
    public static void AppendFigures(StringBuilder sb, BallotResult result, bool includeYesNo, bool template = true)
    {
        Func<string?, string> text = template ? Raw : x => x ?? "";
        foreach (var c in result.Constituencies)
        {
            if (result.Constituencies.Count > 1 || c.Id != "all") sb.Append($"### {text(c.Name)}\n\n");
            foreach (var q in c.Questions)
            {
                sb.Append($"**{text(q.Text)}**\n\n");
                sb.Append($"- Entitled to vote: {q.Entitled}\n- Votes cast: {q.VotesCast}\n");
                if (includeYesNo) foreach (var o in q.Options) sb.Append($"- {text(o.Option)}: {o.Votes}\n");
                sb.Append($"- Spoiled or blank: {q.Spoiled}\n- Turnout: {q.TurnoutPercent.ToString("0.00", CultureInfo.InvariantCulture)}%\n");
                if (q.TurnoutThresholdMet is { } t) sb.Append($"- At least 50% of those entitled voted: {(t ? "yes" : "no")}\n");
                if (q.PublicServiceSupportMet is { } s) sb.Append($"- At least 40% of those entitled voted Yes: {(s ? "yes" : "no")}\n");
                if (q.Mandate is { } m) sb.Append($"- Mandate for action: {(m ? "yes" : "no")}\n");
                sb.Append('\n');
            }
        }
        if (result.VotesByPost is { } post)
            sb.Append($"Votes cast, both channels together: {result.VotesCast} ({result.VotesOnline} online, {post} on voting papers returned by post).\n\n");
        if (result.MandateExpires is { } exp) sb.Append($"A mandate from this ballot lasts until {exp:d MMMM yyyy}.\n");
    }

    /// <summary>The voting paper's content: s.229 for industrial action, the questions for a consultative ballot.</summary>
    public static void AppendPaper(StringBuilder sb, BallotRow ballot, RuleSet? rules)
    {
        var def = ballot.Def;
        sb.Append("## The voting paper\n\n");
        foreach (var q in def.Questions) sb.Append($"- {Raw(q.Text)} ({string.Join(" / ", q.Options.Select(Raw))})\n");
        sb.Append('\n');
        if (def.IndustrialAction is { } ia)
        {
            if (!string.IsNullOrWhiteSpace(ia.MattersInIssue)) sb.Append($"**The matters in issue:** {Raw(ia.MattersInIssue)}\n\n");
            if (!string.IsNullOrWhiteSpace(ia.ActionShortOfStrikeTypes)) sb.Append($"**Action short of a strike:** {Raw(ia.ActionShortOfStrikeTypes)}\n\n");
            if (!string.IsNullOrWhiteSpace(ia.Periods)) sb.Append($"**When the action would take place:** {Raw(ia.Periods)}\n\n");
            sb.Append($"**Who may call the action:** {Raw(ia.WhoMayCallAction)}\n\n");
            sb.Append($"**Independent scrutineer:** {Raw(ia.ScrutineerName)}, {Raw(ia.ScrutineerAddress)}\n\n");
            if (rules is not null) sb.Append($"*{rules.StatutoryStatement}*\n\n");
        }
    }
}

/// <summary>Gives each elector's letter their own voting link, derived at send time so it is never stored.</summary>
/// <remarks>Links start with Mail:PublicBaseUrl, the address members reach the API at (shared with unsubscribe links).</remarks>
/// A process whose credential key is not the database's refuses to render a link (see <see cref="Credentials.EnsureMatches"/>).
public sealed class BallotLetterFields(Credentials credentials, IOptions<MailOptions> options, Ballot.Core.Data.Db db) : ILetterFields
{
    public string Source => Letters.Source;

    public IReadOnlyDictionary<string, object?> FieldsFor(long sourceId, long memberId) => new Dictionary<string, object?>
    {
        ["vote_url"] = VoteUrl(sourceId, memberId),
        ["result_url"] = $"{options.Value.PublicBaseUrl.TrimEnd('/')}/results/{sourceId}",
        ["receipt_check_url"] = $"{options.Value.PublicBaseUrl.TrimEnd('/')}/results/{sourceId}/check",
    };

    public string VoteUrl(long ballotId, long memberId)
    {
        credentials.EnsureMatches(db);
        return options.Value.PublicBaseUrl.TrimEnd('/') + "/vote/" + credentials.For(ballotId, memberId);
    }
}
