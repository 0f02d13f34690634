using SkiaSharp;

namespace Ballot.Core.Leaflets.Composition;

/// <summary>
/// Lays a <see cref="PrintDocument"/> out and draws it, one step per class: <see cref="TextShaper"/> (fonts, HarfBuzz,
/// subset bookkeeping), <see cref="LineBreaker"/>, <see cref="BlockLayout"/> (blocks to items holding geometry),
/// <see cref="Paginator"/> (items to pages, by height alone) and <see cref="PagePainter"/> (geometry onto a canvas: a
/// PDF page, or a raster surface for previews).
/// </summary>
internal sealed class LayoutEngine
{
    private readonly PrintDocument _doc;
    private readonly float _pageW, _pageH, _margin, _body;
    private readonly TextShaper _shaper;
    private readonly BlockLayout _blocks;

    public LayoutEngine(PrintDocument doc)
    {
        _doc = doc;
        (_pageW, _pageH, _margin, _body) = doc.Size switch
        {
            PageSize.A5 => (419.53f, 595.28f, 34f, 8.8f),
            _ => (595.28f, 841.89f, 50f, 10.5f),
        };
        _shaper = new TextShaper(doc.RightToLeft, doc.Info.Language);
        _blocks = new BlockLayout(doc, _shaper, new LineBreaker(_shaper, _body), _body);
    }

    private float ContentWidth => _pageW - 2 * _margin;

    private sealed record Laid(Footer Footer, float Bottom, List<List<Placed>> Pages);

    private Laid Lay()
    {
        var footer = _blocks.LayFooter(ContentWidth);
        var bottom = _pageH - _margin - footer.Height;
        var items = _doc.Blocks.Select(block => _blocks.LayBlock(block, ContentWidth)).ToList();
        var pages = new Paginator(_margin, bottom, _doc.MaxPages, _doc.Size).Paginate(items);
        _shaper.Subsets();
        return new Laid(footer, bottom, pages);
    }

    private void Paint(SKCanvas canvas, Laid laid, int page)
    {
        var label = _blocks.PageLabel(laid.Footer, page, laid.Pages.Count, ContentWidth);
        new PagePainter(_shaper, _doc.RightToLeft, _pageW, _margin, _body).Paint(canvas, laid.Pages[page - 1], laid.Footer, label, laid.Bottom);
    }

    /// <summary>
    /// One page drawn onto a raster surface instead of a PDF page: the same layout and the same drawing calls, so the
    /// preview shows what the PDF prints. <paramref name="width"/> is the image's width in pixels.
    /// </summary>
    public RenderedImage RenderPng(int page, int width)
    {
        var laid = Lay();
        if (page < 1 || page > laid.Pages.Count) throw new ArgumentOutOfRangeException(nameof(page), $"The leaflet has {laid.Pages.Count} page(s).");
        var scale = width / _pageW;
        var height = (int)Math.Round(_pageH * scale);
        using var surface = SKSurface.Create(new SKImageInfo(width, height, SKColorType.Rgba8888, SKAlphaType.Opaque))
            ?? throw new InvalidOperationException("Could not create a raster surface.");
        var canvas = surface.Canvas;
        canvas.Clear(SKColors.White);
        canvas.Scale(scale);
        Paint(canvas, laid, page);
        canvas.Flush();
        using var pixels = surface.PeekPixels();
        // Opaque, one cheap filter and a light zlib level: most of a preview's time was deflating at the default level.
        using var png = pixels.Encode(new SKPngEncoderOptions(SKPngEncoderFilterFlags.Sub, 3)) ?? throw new InvalidOperationException("Could not encode the preview as PNG.");
        return new RenderedImage(png.ToArray(), width, height, laid.Pages.Count);
    }

    public RenderedPdf Render()
    {
        var laid = Lay();
        using var stream = new MemoryStream(64 * 1024);
        var meta = new SKDocumentPdfMetadata
        {
            Title = _doc.Info.Title,
            Author = _doc.Info.Author,
            Subject = _doc.Info.Subject ?? "",
            Keywords = _doc.Info.Keywords ?? "",
            Creator = "Ballot",
            Producer = "Ballot leaflets (SkiaSharp)",
            RasterDpi = 300,
            EncodingQuality = 101,
        };
        using (var pdf = SKDocument.CreatePdf(stream, meta))
        {
            for (var p = 1; p <= laid.Pages.Count; p++)
            {
                Paint(pdf.BeginPage(_pageW, _pageH), laid, p);
                pdf.EndPage();
            }
            pdf.Close();
        }
        return new RenderedPdf(PdfCatalog.AddLanguage(stream.ToArray(), _shaper.Language), laid.Pages.Count);
    }
}
