using Ballot.Core.Leaflets.Composition;

namespace Ballot.Core.Ballots.Papers;

/// <summary>One elector's paper in a print run: its serial, where it is posted, and (electronic, hybrid) their online access.</summary>
/// <param name="Address">address lines 1 to 3 and the town, blank where the register has none.</param>
public sealed record PrintPaper(long Serial, long MemberId, string Name, IReadOnlyList<string> Address, string Postcode)
{
    public string? VoteUrl { get; init; }
    public string? ShortCode { get; init; }
}

/// <summary>What every paper of a ballot says (s.229), once per run; <paramref name="VoteAt"/> is where short codes are typed.</summary>
public sealed record PaperSheet(VotingPaper Template, string VoteAt);

/// <summary>
/// A print batch as one A4 PDF drawn by <see cref="VotingPaperDocument"/>, one page per paper in serial order. A paper
/// that would need two pages is refused rather than printed across a page break.
/// </summary>
public static class VotingPaperPrint
{
    public static RenderedPdf RenderBatch(PaperSheet sheet, IReadOnlyList<PrintPaper> papers)
    {
        var title = $"Voting papers {PaperCodes.SerialText(papers[0].Serial)} to {PaperCodes.SerialText(papers[^1].Serial)}: {sheet.Template.BallotTitle}";
        var pdf = VotingPaperDocument.ComposeBatch(title, papers.Select(p => sheet.Template with
        {
            SerialNumber = PaperCodes.SerialText(p.Serial),
            Addressee = new[] { p.Name }.Concat(p.Address).Append(p.Postcode).Where(l => l.Length > 0).ToList(),
            Online = p.VoteUrl is null || p.ShortCode is null ? null : new OnlineAccess(p.VoteUrl, PaperCodes.Display(p.ShortCode), sheet.VoteAt),
        }).ToList()).Render();
        if (pdf.Pages != papers.Count)
            throw new LayoutException("voting paper", $"A voting paper needs more than one A4 page ({pdf.Pages} pages for {papers.Count} papers); shorten the questions or the dispute summary.");
        return pdf;
    }
}
