using System.Globalization;
using Ballot.Core.Ballots.Papers;
using Ballot.Core.Leaflets.Composition;

namespace Ballot.Core.Ballots.Notices;

/// <summary>
/// The notices to an employer, drawn with the leaflet renderer as the decisions export is (ADR 0404): the s.226A notice
/// of the ballot, the sample voting paper (<see cref="VotingPaperDocument"/>), and the s.234A notice of industrial action.
/// Each holds only that employer's workplaces and numbers.
/// </summary>
public static class NoticeDocuments
{
    private static readonly CultureInfo En = CultureInfo.GetCultureInfo("en-GB");
    private static readonly Colour Ink = new(0x1f, 0x2a, 0x44);

    private static string D(DateOnly d) => d.ToString("dddd d MMMM yyyy", En);

    private static PrintDocument New(string title, string union, string subject) =>
        new(PageSize.A4, new DocumentInfo(title, union, "en", subject, "notice, employer, industrial action"))
        {
            Accent = Ink,
            FooterText = $"{union}: {subject}",
            MaxPages = 200,
        };

    /// <summary>s.226A(2): the union intends to hold the ballot, its opening day, and the employees concerned.</summary>
    public static PrintDocument BallotNotice(BallotView ballot, RuleSet rules, EmployerFigures f, string union, DateOnly issuedOn)
    {
        var doc = New($"Notice of an industrial-action ballot: {f.Employer}", union, "notice of an industrial-action ballot under s.226A TULRCA 1992");
        doc.Add(new Heading(1, "Notice of an industrial-action ballot"));
        doc.Add(new Paragraph([new Span("To: ", Bold: true), new Span(f.Employer + "\n"), new Span("From: ", Bold: true), new Span(union + "\n"),
            new Span("Date: ", Bold: true), new Span(D(issuedOn))]));
        doc.Add(new Paragraph($"This is notice under section 226A of the Trade Union and Labour Relations (Consolidation) Act 1992 that {union} " +
                              $"intends to hold a ballot for industrial action of your employees described below: \u201c{ballot.Title}\u201d."));
        doc.Add(new Paragraph([new Span("The opening day of the ballot ", Bold: true),
            new Span($"is, as the union reasonably believes, {D(NoticeRules.Day(ballot.OpensAt))}.")]));
        var breakdown = rules.NoticeNumbersByCategoryAndWorkplace;
        doc.Add(new Heading(2, "The categories of employee concerned"));
        doc.Add(new ListBlock(false, f.Categories.Select(c => (IReadOnlyList<Span>)[new Span(breakdown ? $"{c.Label}: {N(c.Count)}" : c.Label)]).ToList()));
        doc.Add(new Heading(2, "The workplaces at which they work"));
        doc.Add(new ListBlock(false, f.Workplaces.Select(w => (IReadOnlyList<Span>)[new Span(breakdown ? $"{w.Name}: {N(w.Count)}" : w.Name)]).ToList()));
        doc.Add(new Heading(2, "The total number of employees concerned"));
        doc.Add(new Paragraph([new Span($"Total: {N(f.Total)}", Bold: true)], TextRole.Lead));
        doc.Add(new Paragraph($"These figures are from the union's membership register on {D(issuedOn)}: the members employed by you in the " +
                              "categories and at the workplaces above whom the union reasonably believes will be entitled to vote.", TextRole.Small));
        if (rules.SamplePaperDays is { } days)
            doc.Add(new Paragraph($"A sample of the voting paper will be given to you at least {days} days before the opening day.", TextRole.Small));
        doc.Add(new Paragraph($"Rule set in force on the opening day: {rules.Name}.", TextRole.Small));
        return doc;
    }

    /// <summary>s.226A(1)(b): a sample of the form of voting paper.</summary>
    public static PrintDocument SamplePaper(BallotView ballot, RuleSet rules) =>
        VotingPaperDocument.Compose(VotingPaper.ForBallot(ballot, RuleSetView.Of(rules)) with { Sample = true });

    /// <summary>s.234A: notice of industrial action, with the first day action may start.</summary>
    public static PrintDocument ActionNotice(BallotView ballot, RuleSet rules, EmployerFigures f, string union, DateOnly givenOn, DateOnly? mandateExpires)
    {
        var starts = givenOn.AddDays(rules.ActionNoticeDays);
        var doc = New($"Notice of industrial action: {f.Employer}", union, "notice of industrial action under s.234A TULRCA 1992");
        doc.Add(new Heading(1, "Notice of industrial action"));
        doc.Add(new Paragraph([new Span("To: ", Bold: true), new Span(f.Employer + "\n"), new Span("From: ", Bold: true), new Span(union + "\n"),
            new Span("Date: ", Bold: true), new Span(D(givenOn))]));
        var kinds = new List<string>();
        if (ballot.IndustrialAction?.Strike == true) kinds.Add("strike action");
        if (ballot.IndustrialAction?.ActionShortOfStrike == true) kinds.Add("action short of a strike");
        doc.Add(new Paragraph($"This is notice under section 234A of the Trade Union and Labour Relations (Consolidation) Act 1992 that {union} " +
                              $"intends to induce the employees described below to take part in {string.Join(" and ", kinds)}, " +
                              $"following the ballot \u201c{ballot.Title}\u201d."));
        doc.Add(new Paragraph([new Span("The first day action may start ", Bold: true),
            new Span($"is {D(starts)}: {rules.ActionNoticeDays} days after this notice ({rules.Name}).")]));
        if (ballot.IndustrialAction?.Periods is { Length: > 0 } periods) doc.Add(new Paragraph([new Span("When: ", Bold: true), new Span(periods)]));
        if (mandateExpires is { } exp) doc.Add(new Paragraph($"The ballot's mandate lasts until {D(exp)}.", TextRole.Small));
        var breakdown = rules.NoticeNumbersByCategoryAndWorkplace;
        doc.Add(new Heading(2, "The categories of employee concerned"));
        doc.Add(new ListBlock(false, f.Categories.Select(c => (IReadOnlyList<Span>)[new Span(breakdown ? $"{c.Label}: {N(c.Count)}" : c.Label)]).ToList()));
        doc.Add(new Heading(2, "The workplaces at which they work"));
        doc.Add(new ListBlock(false, f.Workplaces.Select(w => (IReadOnlyList<Span>)[new Span(breakdown ? $"{w.Name}: {N(w.Count)}" : w.Name)]).ToList()));
        doc.Add(new Heading(2, "The total number of employees concerned"));
        doc.Add(new Paragraph([new Span($"Total: {N(f.Total)}", Bold: true)], TextRole.Lead));
        return doc;
    }

    private static string N(long n) => n.ToString("N0", En);
}
