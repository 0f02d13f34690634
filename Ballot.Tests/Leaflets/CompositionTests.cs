using Ballot.Core.Leaflets.Composition;
using UglyToad.PdfPig;

namespace Ballot.Tests.Leaflets;

/// <summary>The layout engine on its own: flow over pages, headings kept with what follows, long words, limits.</summary>
public sealed class CompositionTests
{
    private static PrintDocument Doc(PageSize size = PageSize.A4) =>
        new(size, new DocumentInfo("Test", "Tests")) { FooterText = "Printed by the tests." };

    private static void AssertInsideMargins(byte[] pdf, double margin)
    {
        using var doc = PdfDocument.Open(pdf);
        foreach (var page in doc.GetPages())
        foreach (var letter in page.Letters.Where(l => !string.IsNullOrWhiteSpace(l.Value)))
        {
            var r = letter.BoundingBox;
            Assert.That(r.Left >= margin - 0.5 && r.Right <= page.Width - margin + 0.5 && r.Bottom >= margin - 0.5 && r.Top <= page.Height - margin + 0.5,
                $"'{letter.Value}' on page {page.Number} at {r} lies outside the margins");
        }
    }

    [Test]
    public void A_heading_is_never_left_alone_at_the_bottom_of_a_page()
    {
        var moved = 0;
        for (var filler = 24; filler <= 40; filler++)
        {
            var doc = Doc();
            for (var i = 0; i < filler; i++) doc.Add(new Paragraph($"Filler paragraph number {i} of the test."));
            doc.Add(new Heading(2, "Kept heading"));
            doc.Add(new Paragraph("Following paragraph, first line. " + string.Join(" ", Enumerable.Repeat("More words follow here.", 30))));
            using var pdf = PdfDocument.Open(doc.Render().Bytes);
            var headingPage = pdf.GetPages().Single(p => p.Text.Contains("Kept heading", StringComparison.Ordinal)).Number;
            var followingPage = pdf.GetPages().First(p => p.Text.Contains("Following paragraph", StringComparison.Ordinal)).Number;
            Assert.That(followingPage, Is.EqualTo(headingPage), $"with {filler} filler paragraphs the heading is on page {headingPage}, its text on {followingPage}");
            var lastFillerPage = pdf.GetPages().Single(p => p.Text.Contains($"number {filler - 1} of", StringComparison.Ordinal)).Number;
            if (headingPage > lastFillerPage) moved++;
        }
        Assert.That(moved, Is.GreaterThan(0), "some filler count put the heading at a page boundary");
    }

    [Test]
    public void A_long_paragraph_flows_over_pages_and_keeps_every_word_in_order()
    {
        var words = Enumerable.Range(1, 2500).Select(i => $"w{i}").ToList();
        var doc = Doc(PageSize.A5).Add(new Paragraph(string.Join(" ", words)));
        var rendered = doc.Render();
        using var pdf = PdfDocument.Open(rendered.Bytes);
        Assert.That(pdf.NumberOfPages, Is.EqualTo(rendered.Pages).And.GreaterThan(2));
        var read = pdf.GetPages().SelectMany(p => p.GetWords()).Select(w => w.Text).Where(w => w.StartsWith('w')).ToList();
        Assert.That(read, Is.EqualTo(words));
        AssertInsideMargins(rendered.Bytes, 34);
    }

    [Test]
    public void A_word_longer_than_a_line_is_broken_between_letters_not_cut_off()
    {
        var url = "https://example.org/" + string.Concat(Enumerable.Repeat("a-very-long-path-segment/", 20));
        var rendered = Doc().Add(new Paragraph([new Span("Visit "), new Span(url, Link: url)])).Render();
        AssertInsideMargins(rendered.Bytes, 50);
        using var pdf = PdfDocument.Open(rendered.Bytes);
        var text = string.Concat(pdf.GetPage(1).GetWords().Select(w => w.Text));
        Assert.That(text, Does.Contain(url.Replace(" ", "")));
    }

    [Test]
    public void Content_beyond_the_page_limit_fails_naming_the_part_that_overflows()
    {
        var doc = Doc();
        doc.MaxPages = 2;
        doc.Add(new Paragraph("Short introduction.") { Part = "introduction" });
        doc.Add(new Paragraph(string.Join(" ", Enumerable.Repeat("Far too many words for two pages.", 900))) { Part = "sections[0].body" });
        var e = Assert.Throws<LayoutException>(() => doc.Render());
        Assert.That(e!.Part, Is.EqualTo("sections[0].body"));
        Assert.That(e.Message, Does.Contain("more than 2 A4 pages"));
    }

    [Test]
    public void Markdown_subset_becomes_headings_paragraphs_lists_and_links()
    {
        var blocks = MarkdownText.ToBlocks("# Title\n\nSome **bold** and *italic* with [a link](https://example.org).\n\n1. one\n2. two\n\n- a\n- b", "body");
        Assert.That(blocks.Select(b => b.GetType().Name), Is.EqualTo(new[] { "Heading", "Paragraph", "ListBlock", "ListBlock" }));
        var spans = ((Paragraph)blocks[1]).Spans;
        Assert.That(spans.Single(s => s.Text == "bold").Bold, Is.True);
        Assert.That(spans.Single(s => s.Text == "italic").Italic, Is.True);
        Assert.That(spans.Single(s => s.Text == "a link").Link, Is.EqualTo("https://example.org"));
        Assert.That(((ListBlock)blocks[2]).Ordered, Is.True);
        Assert.That(MarkdownText.Unsupported("<script>x</script>\n\n![img](https://example.org/x.png)"), Has.Count.EqualTo(2));
    }
}
