using Ballot.Core.Leaflets.Composition;

namespace Ballot.Core.Ballots.Papers;

/// <summary>One elector's paper in a print run: its serial, where it is posted, and (electronic, hybrid) their online access.</summary>
public sealed record PrintPaper(long Serial, long MemberId, string Name, IReadOnlyList<string> Address, string Postcode)
{
    public string? VoteUrl { get; init; }
    public string? ShortCode { get; init; }
}

/// <summary>What every paper of a ballot says (s.229): drawn once per batch, with each paper's own serial, address and link.</summary>
public sealed record PaperSheet(BallotRow Ballot, RuleSet? Rules, string VoteAt);

/// <summary>
/// A batch of voting papers as one A4 PDF, one page per paper, drawn with the leaflet renderer (real, selectable text;
/// fonts subset once per batch). Page n is the paper of the batch's n-th serial; a paper that would need two pages is
/// refused rather than printed across a page break.
/// </summary>
public static class VotingPaperPrint
{
    public static RenderedPdf RenderBatch(PaperSheet sheet, IReadOnlyList<PrintPaper> papers)
    {
        var ballot = sheet.Ballot;
        var doc = new PrintDocument(PageSize.A4, new DocumentInfo($"Voting papers: {ballot.Title}", "Ballot", "en",
            $"Serial numbers {PaperCodes.SerialText(papers[0].Serial)} to {PaperCodes.SerialText(papers[^1].Serial)}"))
        {
            MaxPages = papers.Count,
            PageLabel = (page, _) => $"Serial number {PaperCodes.SerialText(papers[Math.Clamp(page, 1, papers.Count) - 1].Serial)}",
            FooterText = ballot.Def.IndustrialAction?.ScrutineerName is { Length: > 0 } s ? $"Independent scrutineer: {s}" : null,
        };
        var fixedBlocks = Fixed(sheet);
        for (var i = 0; i < papers.Count; i++)
        {
            if (i > 0) doc.Add(new PageBreak());
            Paper(doc, sheet, papers[i], fixedBlocks);
        }
        var pdf = doc.Render();
        if (pdf.Pages != papers.Count)
            throw new LayoutException("voting paper", $"A voting paper needs more than one A4 page ({pdf.Pages} pages for {papers.Count} papers); shorten the questions or the dispute summary.");
        return pdf;
    }

    private static void Paper(PrintDocument doc, PaperSheet sheet, PrintPaper p, IReadOnlyList<Block> fixedBlocks)
    {
        var ballot = sheet.Ballot;
        doc.Add(new Paragraph([new Span("Serial number ", Bold: true), new Span(PaperCodes.SerialText(p.Serial))], TextRole.Label));
        foreach (var line in new[] { p.Name }.Concat(p.Address).Append(p.Postcode).Where(l => l.Length > 0))
            doc.Add(new Paragraph(line, TextRole.Small) { Part = "address" });
        doc.Add(new Spacer(10));
        doc.Add(new Heading(1, "Voting paper") { Part = "title" });
        doc.Add(new Paragraph(ballot.Title, TextRole.Lead) { Part = "title" });
        foreach (var b in fixedBlocks) doc.Add(b);
        if (p.VoteUrl is not null && p.ShortCode is not null)
            doc.Add(new Box(Colour.Grey.Tint(0.9f),
            [
                new Heading(3, "Or vote online instead"),
                new Paragraph($"Scan the code, or go to {sheet.VoteAt} and type the code {PaperCodes.Display(p.ShortCode)}. It is the same personal link as in your voting letter: you can vote once, online or by post, and the first vote counts."),
            ]) { Aside = new QrCode(p.VoteUrl, 80), Part = "online access" });
    }

    private static List<Block> Fixed(PaperSheet sheet)
    {
        var ballot = sheet.Ballot;
        var def = ballot.Def;
        var blocks = new List<Block>();
        var returnTo = def.IndustrialAction?.ScrutineerAddress is { Length: > 0 } a
            ? $"{def.IndustrialAction.ScrutineerName}, {a}"
            : "the address on the reply envelope";
        blocks.Add(new Paragraph([new Span("Return this paper to ", Bold: true), new Span(returnTo), new Span(" so that it arrives by ", Bold: true),
            new Span(Letters.When(ballot.ClosesAt)), new Span(". Papers that arrive later are not counted.")]) { Part = "return" });
        blocks.Add(new Paragraph("Mark one box with a cross (X) for each question.", TextRole.Small));
        foreach (var q in def.Questions)
        {
            blocks.Add(new Heading(3, q.Text) { Part = $"question {q.Id}" });
            blocks.Add(new Paragraph(string.Join("      ", q.Options.Select(o => $"\u2610 {o}"))) { Part = $"question {q.Id}" });
        }
        if (def.IndustrialAction is { } ia)
        {
            if (sheet.Rules?.DisputeSummaryRequired == true)
            {
                if (!string.IsNullOrWhiteSpace(ia.MattersInIssue)) blocks.Add(Labelled("The matters in issue: ", ia.MattersInIssue));
                if (!string.IsNullOrWhiteSpace(ia.Periods)) blocks.Add(Labelled("When the action would take place: ", ia.Periods));
            }
            if (!string.IsNullOrWhiteSpace(ia.ActionShortOfStrikeTypes)) blocks.Add(Labelled("Action short of a strike: ", ia.ActionShortOfStrikeTypes));
            blocks.Add(Labelled("Who may call the action: ", ia.WhoMayCallAction ?? ""));
            blocks.Add(Labelled("Independent scrutineer: ", $"{ia.ScrutineerName}, {ia.ScrutineerAddress}"));
            if (sheet.Rules is { } rules) blocks.Add(new Paragraph([new Span(rules.StatutoryStatement, Italic: true)], TextRole.Small) { Part = "statutory statement" });
        }
        return blocks;
    }

    private static Paragraph Labelled(string label, string text) => new([new Span(label, Bold: true), new Span(text)], TextRole.Small);
}
