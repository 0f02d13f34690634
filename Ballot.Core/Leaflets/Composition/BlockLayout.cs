using System.Collections;
using QRCoder;
using SkiaSharp;

namespace Ballot.Core.Leaflets.Composition;

/// <summary>A laid-out block as pagination sees it: text breaks between lines, an atom (a box, a picture) stays whole.</summary>
internal abstract class Item
{
    public float SpaceBefore { get; init; }
    public bool KeepWithNext { get; init; }
    public string? Part { get; init; }
}

internal sealed class TextItem : Item
{
    public required List<Line> Lines { get; init; }
}

/// <summary>What follows starts on a new page.</summary>
internal sealed class BreakItem : Item;

internal sealed class AtomItem : Item
{
    public required float Height { get; init; }

    /// <summary>What to draw, placed relative to the item's top-left corner.</summary>
    public required IReadOnlyList<Drawing> Drawings { get; init; }
}

/// <summary>Geometry the painter draws, at (X, Y) relative to the item (or the page, once placed).</summary>
internal abstract record Drawing(float X, float Y)
{
    public Drawing Moved(float dx, float dy) => this with { X = X + dx, Y = Y + dy };
}

/// <summary>A line with its top at Y inside [X, X + Width], aligned to the start side (or from X when centred).</summary>
internal sealed record LineDrawing(Line Line, float X, float Y, float Width, bool Centred = false) : Drawing(X, Y);

internal sealed record ImageDrawing(SKImage Image, float X, float Y, float Width, float Height) : Drawing(X, Y);

internal sealed record QrDrawing(List<BitArray> Matrix, float X, float Y, float Size) : Drawing(X, Y);

internal sealed record RoundRectDrawing(Colour Fill, float X, float Y, float Width, float Height, float Radius) : Drawing(X, Y);

internal sealed record Footer(List<Line> Imprint, float Height, float LabelSize);

/// <summary>Lays each block out at a width: headings, paragraphs and lists become lines; boxes, pictures and QR codes
/// become atoms holding the geometry to draw.</summary>
internal sealed class BlockLayout(PrintDocument doc, TextShaper shaper, LineBreaker breaker, float body)
{
    private readonly bool _rtl = doc.RightToLeft;

    public Item LayBlock(Block block, float width, Colour? textColour = null)
    {
        shaper.Part = block.Part;
        switch (block)
        {
            case Heading h:
            {
                var colour = textColour ?? (h.Level <= 2 ? doc.Accent : Colour.Black);
                var lines = breaker.BreakLines(shaper.Words(h.Spans, new Style(SizeOf(h), colour, true, colour)), width);
                foreach (var l in lines) l.Height *= 0.9f;
                return new TextItem
                {
                    Lines = lines, KeepWithNext = true, Part = block.Part,
                    SpaceBefore = h.Level == 1 ? body * 0.4f : h.Level == 2 ? body * 1.1f : body * 0.7f,
                };
            }
            case Paragraph p:
            {
                var colour = textColour ?? p.Colour ?? Colour.Black;
                var style = new Style(SizeOf(p.Role), colour, p.Role == TextRole.Label, textColour ?? doc.Accent);
                return new TextItem { Lines = breaker.BreakLines(shaper.Words(p.Spans, style), width), SpaceBefore = body * 0.55f, Part = block.Part };
            }
            case ListBlock l:
            {
                var colour = textColour ?? Colour.Black;
                var style = new Style(body, colour, false, textColour ?? doc.Accent);
                var indent = body * (l.Ordered ? 2.0f : 1.5f);
                var lines = new List<Line>();
                for (var i = 0; i < l.Items.Count; i++)
                {
                    var itemLines = breaker.BreakLines(shaper.Words(l.Items[i], style), width, indent);
                    itemLines[0].Marker = shaper.Words([new Span(l.Ordered ? $"{i + 1}." : "•")], style with { Colour = textColour ?? doc.Accent, Bold = true })[0];
                    LineBreaker.Measure(itemLines[0], body);
                    if (i > 0) itemLines[0].Height += body * 0.3f;
                    lines.AddRange(itemLines);
                }
                return new TextItem { Lines = lines, SpaceBefore = body * 0.55f, Part = block.Part };
            }
            case PageBreak:
                return new BreakItem { Part = block.Part };
            case Spacer s:
                return new AtomItem { Height = s.Height, Drawings = [], Part = block.Part };
            case Picture pic:
                return LayPicture(pic, width);
            case QrCode q:
                return LayQr(q, width);
            case Box b:
                return LayBox(b, width);
            default:
                throw new LayoutException(block.Part, $"Unsupported block {block.GetType().Name}.");
        }
    }

    /// <summary>The imprint beside the page label at the foot of every page; the label itself is laid per page.</summary>
    public Footer LayFooter(float contentWidth)
    {
        var size = body * 0.72f;
        var style = FooterStyle(size);
        var labelWidth = shaper.Words([new Span(doc.PageLabel(doc.MaxPages, doc.MaxPages))], style).Sum(w => w.Width + w.SpaceWidth);
        var imprint = doc.FooterText is null ? [] : breaker.BreakLines(shaper.Words([new Span(doc.FooterText)], style), contentWidth - labelWidth - body * 2);
        var height = Math.Max(imprint.Sum(l => l.Height), size * 1.4f) + body * 1.2f;
        return new Footer(imprint, height, size);
    }

    public Line PageLabel(Footer footer, int page, int pages, float contentWidth) =>
        breaker.BreakLines(shaper.Words([new Span(doc.PageLabel(page, pages))], FooterStyle(footer.LabelSize)), contentWidth)[0];

    private static Style FooterStyle(float size) => new(size, Colour.Grey, false, Colour.Grey);

    private float SizeOf(Heading h) => h.Level switch { 1 => body * 2.3f, 2 => body * 1.45f, _ => body * 1.15f };

    private float SizeOf(TextRole role) => role switch
    {
        TextRole.Lead => body * 1.2f,
        TextRole.Small => body * 0.78f,
        TextRole.Label => body * 0.95f,
        _ => body,
    };

    private AtomItem LayPicture(Picture pic, float width)
    {
        var image = SKImage.FromEncodedData(pic.Encoded)
            ?? throw new LayoutException(pic.Part, "The image could not be read; give a PNG or JPEG file.");
        var h = pic.MaxHeight;
        var w = h * image.Width / image.Height;
        if (w > width) (w, h) = (width, width * image.Height / image.Width);
        var x = _rtl ? width - w : 0;
        return new AtomItem { Height = h, SpaceBefore = 0, Part = pic.Part, Drawings = [new ImageDrawing(image, x, 0, w, h)] };
    }

    private AtomItem LayQr(QrCode q, float width, bool centre = false)
    {
        List<BitArray> matrix;
        using (var generator = new QRCodeGenerator())
        using (var data = generator.CreateQrCode(q.Url, QRCodeGenerator.ECCLevel.M))
            matrix = data.ModuleMatrix;
        var caption = q.Caption is null ? [] : breaker.BreakLines(shaper.Words([new Span(q.Caption)], new Style(body * 0.75f, Colour.Black, false, Colour.Black)), Math.Max(q.Size, body * 8));
        var x = centre ? (width - q.Size) / 2 : _rtl ? width - q.Size : 0;
        var drawings = new List<Drawing> { new QrDrawing(matrix, x, 0, q.Size) };
        var y = q.Size;
        foreach (var line in caption)
        {
            drawings.Add(new LineDrawing(line, x + q.Size / 2 - line.Width / 2, y, line.Width, Centred: true));
            y += line.Height;
        }
        return new AtomItem { Height = q.Size + caption.Sum(l => l.Height), SpaceBefore = body * 0.5f, Part = q.Part, Drawings = drawings };
    }

    private AtomItem LayBox(Box b, float width)
    {
        var pad = body * 1.1f;
        var text = b.TextColour ?? (b.Background.Luminance < 0.35 ? Colour.White : Colour.Black);
        var asideWidth = b.Aside is null ? 0 : Math.Max(b.Aside.Size, body * 8);
        var aside = b.Aside is null ? null : LayQr(b.Aside, asideWidth, centre: true);
        var innerWidth = width - 2 * pad - (aside is null ? 0 : asideWidth + pad);
        var textLeft = pad + (_rtl && aside is not null ? asideWidth + pad : 0);
        var lines = new List<Drawing>();
        float y = 0;
        foreach (var block in b.Content)
        {
            var item = (TextItem)LayBlock(block, innerWidth, text);
            if (lines.Count > 0) y += item.SpaceBefore;
            foreach (var line in item.Lines)
            {
                lines.Add(new LineDrawing(line, textLeft, pad + y, innerWidth));
                y += line.Height;
            }
        }
        shaper.Part = b.Part;
        var height = Math.Max(y, aside?.Height ?? 0) + 2 * pad;
        var drawings = new List<Drawing> { new RoundRectDrawing(b.Background, 0, 0, width, height, 6) };
        drawings.AddRange(lines);
        if (aside is not null)
        {
            var asideLeft = _rtl ? pad : width - pad - asideWidth;
            drawings.AddRange(aside.Drawings.Select(d => d.Moved(asideLeft, pad)));
        }
        return new AtomItem { Height = height, SpaceBefore = body * 1.1f, Part = b.Part, Drawings = drawings };
    }
}
