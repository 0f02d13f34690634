using Ballot.Core.Common;
using Ballot.Core.Leaflets.Composition;

namespace Ballot.Core.Ballots.Papers;

/// <summary>Where and how an elector can vote online instead of posting the paper (hybrid ballots).</summary>
/// <param name="Url">The elector's own voting link, the same credential as their email letter; drawn as a QR code.</param>
/// <param name="ShortCode">The same credential as a short code to type at <paramref name="TypeAt"/>.</param>
/// <param name="TypeAt">Where the short code is typed, e.g. https://vote.example.org/vote.</param>
public sealed record OnlineAccess(string Url, string ShortCode, string TypeAt);

/// <summary>A labelled line of the paper's particulars, e.g. who may call the action (s.229(2A)).</summary>
public sealed record PaperParticular(string Label, string Text);

/// <summary>
/// What a voting paper says (s.229): the ballot, the independent scrutineer, where and by when to return it, the
/// questions, the statutory statement, and for a real paper its serial number. A sample paper (s.226A) has no serial
/// and no online access.
/// </summary>
public sealed record VotingPaper(
    string BallotTitle, string ScrutineerName, string ReturnAddress, DateTimeOffset ReturnBy, IReadOnlyList<Question> Questions,
    string? StatutoryStatement)
{
    /// <summary>One of a series of consecutive whole numbers (s.229(1A)(b)); null on a sample paper.</summary>
    public string? SerialNumber { get; init; }

    /// <summary>The elector's online access in a hybrid ballot; null for postal papers and samples.</summary>
    public OnlineAccess? Online { get; init; }

    /// <summary>Name and postal address lines, printed at the top where a window envelope shows them.</summary>
    public IReadOnlyList<string>? Addressee { get; init; }

    public IReadOnlyList<PaperParticular> Particulars { get; init; } = [];

    /// <summary>Marks the paper "Sample voting paper" (s.226A(1)(b)): given to employers, not for voting.</summary>
    public bool Sample { get; init; }

    /// <summary>
    /// The paper of a ballot as its draft or view stands: title, scrutineer (name and address, the return address),
    /// closing time as the return-by date, questions, statutory statement and, for industrial action, who may call it
    /// and the summary the rule set requires. Set <see cref="SerialNumber"/>, <see cref="Online"/>, <see cref="Addressee"/>
    /// with <c>with { … }</c> per elector.
    /// </summary>
    public static VotingPaper ForBallot(BallotView ballot, RuleSetView? rules)
    {
        var ia = ballot.IndustrialAction;
        var particulars = new List<PaperParticular>();
        if (ia is not null)
        {
            if (!string.IsNullOrWhiteSpace(ia.WhoMayCallAction)) particulars.Add(new("Who may call the action", ia.WhoMayCallAction.Trim()));
            if (!string.IsNullOrWhiteSpace(ia.MattersInIssue)) particulars.Add(new("The matters in issue", ia.MattersInIssue.Trim()));
            if (ia.ActionShortOfStrike && !string.IsNullOrWhiteSpace(ia.ActionShortOfStrikeTypes))
                particulars.Add(new("Action short of a strike", ia.ActionShortOfStrikeTypes.Trim()));
            if (!string.IsNullOrWhiteSpace(ia.Periods)) particulars.Add(new("When the action is expected", ia.Periods.Trim()));
        }
        return new VotingPaper(ballot.Title, ia?.ScrutineerName?.Trim() ?? "The union's returning officer",
            ia?.ScrutineerAddress?.Trim() ?? "", ballot.ClosesAt, ballot.Questions, rules?.StatutoryStatement)
        {
            Particulars = particulars,
        };
    }
}

/// <summary>
/// The voting paper drawn with the leaflet renderer (ADR 0602): one A4 page a paper. Sample papers for employers and
/// the print batches of postal and hybrid ballots are both this document.
/// <code>
/// var pdf = VotingPaperDocument.Compose(VotingPaper.ForBallot(view, view.RuleSet) with { Sample = true }).Render();
/// var batch = VotingPaperDocument.ComposeBatch("Print batch 1", papers).Render();   // one page each, in order
/// </code>
/// </summary>
public static class VotingPaperDocument
{
    private static readonly Colour Ink = new(0x1f, 0x2a, 0x44);
    private static readonly Colour Shade = Ink.Tint(0.9f);

    /// <summary>One paper as its own document.</summary>
    public static PrintDocument Compose(VotingPaper paper)
    {
        var doc = New(paper.Sample ? $"Sample voting paper: {paper.BallotTitle}" : $"Voting paper: {paper.BallotTitle}", paper, 3);
        AddTo(doc, paper);
        return doc;
    }

    /// <summary>Many papers in one document, each starting a new page.</summary>
    public static PrintDocument ComposeBatch(string title, IReadOnlyList<VotingPaper> papers)
    {
        if (papers.Count == 0) throw new ArgumentException("A batch has at least one paper.", nameof(papers));
        var doc = New(title, papers[0], papers.Count * 2);
        for (var i = 0; i < papers.Count; i++)
        {
            if (i > 0) doc.Add(new PageBreak());
            AddTo(doc, papers[i]);
        }
        return doc;
    }

    private static PrintDocument New(string title, VotingPaper first, int maxPages) =>
        new(PageSize.A4, new DocumentInfo(title, first.ScrutineerName, "en", first.BallotTitle, "voting paper, ballot"))
        {
            Accent = Ink,
            FooterText = first.Sample
                ? "Sample voting paper given to the employer under s.226A of the Trade Union and Labour Relations (Consolidation) Act 1992. It cannot be used to vote."
                : "Your vote is secret. The independent scrutineer counts the papers; nobody at the union sees how you voted.",
            MaxPages = maxPages,
        };

    /// <summary>Adds one paper to <paramref name="doc"/>, from the top of the current page (add a <see cref="PageBreak"/> between papers).</summary>
    public static void AddTo(PrintDocument doc, VotingPaper paper)
    {
        var part = paper.SerialNumber is { } s ? $"voting paper {s}" : "voting paper";
        if (paper.Addressee is { Count: > 0 } to)
        {
            doc.Add(new Paragraph(string.Join("\n", to.Where(l => !string.IsNullOrWhiteSpace(l)).Select(l => l.Trim()))) { Part = part });
            doc.Add(new Spacer(18) { Part = part });
        }
        doc.Add(new Heading(1, paper.Sample ? "Sample voting paper" : "Voting paper") { Part = part });
        doc.Add(new Paragraph(paper.BallotTitle, TextRole.Lead) { Part = part });

        var facts = new List<Span>();
        if (paper.SerialNumber is { } serial) facts.AddRange([new Span("Serial number: ", Bold: true), new Span(serial + "\n")]);
        else if (paper.Sample) facts.AddRange([new Span("Serial number: ", Bold: true), new Span("each paper carries its own number\n")]);
        facts.AddRange([new Span("Independent scrutineer: ", Bold: true), new Span(paper.ScrutineerName)]);
        doc.Add(new Paragraph(facts) { Part = part });
        foreach (var p in paper.Particulars)
            doc.Add(new Paragraph([new Span(p.Label + ": ", Bold: true), new Span(p.Text)], TextRole.Small) { Part = part });

        doc.Add(new Paragraph("Put a cross (X) in one box for each question.", TextRole.Label) { Part = part });
        foreach (var q in paper.Questions)
        {
            var options = string.Join("\n", q.Options.Select(o => $"\u2610 {o}"));
            doc.Add(new Box(Shade, [new Heading(3, q.Text), new Paragraph(options, TextRole.Lead)]) { TextColour = Colour.Black, Part = $"{part}, question {q.Id}" });
        }

        var returnBy = UnionTime.Shared.When(paper.ReturnBy);
        doc.Add(new Paragraph([new Span("Return this paper ", Bold: true), new Span($"in the reply-paid envelope so that it reaches the scrutineer by {returnBy}"),
            new Span(string.IsNullOrWhiteSpace(paper.ReturnAddress) ? "." : $", at {paper.ReturnAddress}.")]) { Part = part });

        if (paper.Online is { } online)
            doc.Add(new Box(Ink.Tint(0.96f), [
                new Heading(3, "Or vote online instead"),
                new Paragraph($"Scan the code, or go to {online.TypeAt} and type this code:"),
                new Paragraph([new Span(online.ShortCode, Bold: true)], TextRole.Lead),
                new Paragraph("Vote once only: online or by post. If you do both, the first vote received counts.", TextRole.Small),
            ]) { TextColour = Colour.Black, Aside = new QrCode(online.Url, 92), Part = $"{part}, online access" });

        if (!string.IsNullOrWhiteSpace(paper.StatutoryStatement))
            doc.Add(new Paragraph(paper.StatutoryStatement, TextRole.Small) { Part = $"{part}, statutory statement" });
    }
}
