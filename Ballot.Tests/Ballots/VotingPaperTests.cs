using Ballot.Core.Ballots;
using Ballot.Core.Ballots.Papers;
using UglyToad.PdfPig;

namespace Ballot.Tests.Ballots;

/// <summary>The voting paper document on its own: s.229 content on one A4 page, a batch one page a paper.</summary>
public sealed class VotingPaperTests
{
    private static VotingPaper Paper(string serial) => new("Ballot on pay", "Electoral Reform Services", "The Election Centre, 33 Clarendon Road, London N8 0NW",
        new DateTimeOffset(2026, 12, 18, 12, 0, 0, TimeSpan.Zero),
        [new Question("strike", "Are you prepared to take part in a strike?", ["Yes", "No"]),
         new Question("action-short-of-strike", "Are you prepared to take part in industrial action short of a strike?", ["Yes", "No"])],
        "If you take part in a strike or other industrial action, you may be in breach of your contract of employment.")
    {
        SerialNumber = serial,
        Addressee = ["Ada Lovelace", "1 Example Street", "Leeds", "LS1 1AA"],
        Particulars = [new PaperParticular("Who may call the action", "The National Executive")],
        Online = new OnlineAccess("https://vote.example.org/vote/abcdefghijklmnop", "ABCD-EFGH-JKLM", "https://vote.example.org/vote"),
    };

    [Test]
    public void A_hybrid_paper_is_one_page_with_its_serial_scrutineer_return_date_questions_statement_and_code()
    {
        var rendered = VotingPaperDocument.ComposeBatch("Batch 1", [Paper("000001"), Paper("000002"), Paper("000003")]).Render();
        using var pdf = PdfDocument.Open(rendered.Bytes);
        Assert.That(pdf.NumberOfPages, Is.EqualTo(3), "one page a paper");
        var first = string.Join(" ", pdf.GetPage(1).GetWords().Select(w => w.Text));
        foreach (var expected in new[] { "Voting paper", "Serial number: 000001", "Independent scrutineer: Electoral Reform Services", "Ada Lovelace", "LS1 1AA",
                     "Are you prepared to take part in a strike?", "18 December 2026", "33 Clarendon Road", "ABCD-EFGH-JKLM", "breach of your contract",
                     "Who may call the action: The National Executive" })
            Assert.That(first, Does.Contain(expected));
        Assert.That(string.Join(" ", pdf.GetPage(3).GetWords().Select(w => w.Text)), Does.Contain("Serial number: 000003"));

        var sample = VotingPaperDocument.Compose(Paper("x") with { SerialNumber = null, Online = null, Addressee = null, Sample = true }).Render();
        using var samplePdf = PdfDocument.Open(sample.Bytes);
        var text = string.Join(" ", samplePdf.GetPage(1).GetWords().Select(w => w.Text));
        Assert.That(samplePdf.NumberOfPages, Is.EqualTo(1));
        Assert.That(text, Does.Contain("Sample voting paper").And.Contain("cannot be used to vote").And.Not.Contain("ABCD-EFGH"));
    }
}
