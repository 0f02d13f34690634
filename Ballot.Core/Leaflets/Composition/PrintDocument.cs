namespace Ballot.Core.Leaflets.Composition;

/// <summary>
/// A print document: blocks that flow over as many pages as they need, a footer on every page, rendered to PDF with
/// shaped text (HarfBuzz), subset embedded fonts and real, selectable text. Leaflets and the motions export use it.
/// <code>
/// var doc = new PrintDocument(PageSize.A4, new DocumentInfo("Decisions", "Executive", "en")) { FooterText = "Published by …" };
/// doc.Add(new Heading(1, "Conference decisions")).Add(new Paragraph("…")).Add(new ListBlock(true, items));
/// byte[] pdf = doc.Render().Bytes;
/// </code>
/// </summary>
public sealed class PrintDocument(PageSize size, DocumentInfo info)
{
    private static readonly HashSet<string> RtlLanguages = new(StringComparer.OrdinalIgnoreCase) { "ar", "ur", "fa", "he", "ps", "sd", "ug", "yi", "ckb" };

    public PageSize Size { get; } = size;
    public DocumentInfo Info { get; } = info;
    public List<Block> Blocks { get; } = [];

    /// <summary>Colour of headings and links.</summary>
    public Colour Accent { get; set; } = Colour.Black;

    /// <summary>Small print at the foot of every page (e.g. the imprint); wraps as needed.</summary>
    public string? FooterText { get; set; }

    /// <summary>The page label in the footer, given the page number and the page count.</summary>
    public Func<int, int, string> PageLabel { get; set; } = (page, pages) => $"Page {page} of {pages}";

    /// <summary>More pages than this fails with a <see cref="LayoutException"/> naming the part that overflows.</summary>
    public int MaxPages { get; set; } = 24;

    public bool RightToLeft => IsRightToLeft(Info.Language);

    public static bool IsRightToLeft(string language) => RtlLanguages.Contains(language.Split('-')[0]);

    public PrintDocument Add(Block block)
    {
        Blocks.Add(block);
        return this;
    }

    /// <summary>Lays out and draws the document. Throws <see cref="LayoutException"/> for content that cannot be placed.</summary>
    public RenderedPdf Render() => new LayoutEngine(this).Render();

    /// <summary>One page as a PNG <paramref name="width"/> pixels wide, laid out and drawn as <see cref="Render"/> does.</summary>
    public RenderedImage RenderPng(int page, int width) => new LayoutEngine(this).RenderPng(page, width);
}
