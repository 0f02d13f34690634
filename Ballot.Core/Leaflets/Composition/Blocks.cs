namespace Ballot.Core.Leaflets.Composition;

/// <summary>Paper sizes the renderer lays out for (portrait).</summary>
public enum PageSize { A4, A5 }

/// <summary>Document metadata: written to the PDF's Info dictionary, and the language to its catalog (/Lang).</summary>
public sealed record DocumentInfo(string Title, string Author, string Language = "en", string? Subject = null, string? Keywords = null);

/// <summary>An sRGB colour.</summary>
public readonly record struct Colour(byte R, byte G, byte B)
{
    public static readonly Colour Black = new(0x1a, 0x1a, 0x1a);
    public static readonly Colour White = new(0xff, 0xff, 0xff);
    public static readonly Colour Grey = new(0x55, 0x55, 0x55);

    /// <summary>Parses "#rrggbb"; returns false for anything else.</summary>
    public static bool TryParse(string? hex, out Colour colour)
    {
        colour = Black;
        if (hex is not { Length: 7 } || hex[0] != '#') return false;
        if (!uint.TryParse(hex.AsSpan(1), System.Globalization.NumberStyles.HexNumber, null, out var v)) return false;
        colour = new Colour((byte)(v >> 16), (byte)(v >> 8), (byte)v);
        return true;
    }

    /// <summary>This colour mixed with white: amount 0 is unchanged, 1 is white.</summary>
    public Colour Tint(float amount) =>
        new((byte)(R + (255 - R) * amount), (byte)(G + (255 - G) * amount), (byte)(B + (255 - B) * amount));

    /// <summary>Relative luminance (WCAG), used to pick readable text on a coloured box.</summary>
    public double Luminance
    {
        get
        {
            static double C(byte c) { var s = c / 255.0; return s <= 0.03928 ? s / 12.92 : Math.Pow((s + 0.055) / 1.055, 2.4); }
            return 0.2126 * C(R) + 0.7152 * C(G) + 0.0722 * C(B);
        }
    }

    public override string ToString() => $"#{R:x2}{G:x2}{B:x2}";
}

/// <summary>A run of text in one style. Link makes it a clickable, underlined link.</summary>
public sealed record Span(string Text, bool Bold = false, bool Italic = false, string? Link = null);

/// <summary>Anything placed in the document's flow. Part names the piece of content it came from, for error messages.</summary>
public abstract class Block
{
    public string? Part { get; init; }
}

/// <summary>A heading: level 1 is the title, 2 a section, 3 a sub-section. It is never left alone at the bottom of a page.</summary>
public sealed class Heading(int level, IReadOnlyList<Span> spans) : Block
{
    public Heading(int level, string text) : this(level, [new Span(text)]) { }
    public int Level { get; } = Math.Clamp(level, 1, 3);
    public IReadOnlyList<Span> Spans { get; } = spans;
}

public enum TextRole { Body, Lead, Small, Label }

/// <summary>A paragraph of text that flows over lines and pages.</summary>
public sealed class Paragraph(IReadOnlyList<Span> spans, TextRole role = TextRole.Body) : Block
{
    public Paragraph(string text, TextRole role = TextRole.Body) : this([new Span(text)], role) { }
    public IReadOnlyList<Span> Spans { get; } = spans;
    public TextRole Role { get; } = role;
    public Colour? Colour { get; init; }
}

/// <summary>A bulleted or numbered list; each item is a run of spans.</summary>
public sealed class ListBlock(bool ordered, IReadOnlyList<IReadOnlyList<Span>> items) : Block
{
    public bool Ordered { get; } = ordered;
    public IReadOnlyList<IReadOnlyList<Span>> Items { get; } = items;
}

/// <summary>
/// A filled box that is kept on one page, holding headings, paragraphs and lists, with an optional QR code beside them.
/// Text colour follows the background (white on dark, black on light) unless given.
/// </summary>
public sealed class Box(Colour background, IReadOnlyList<Block> content) : Block
{
    public Colour Background { get; } = background;
    public Colour? TextColour { get; init; }
    public IReadOnlyList<Block> Content { get; } = content;
    public QrCode? Aside { get; init; }
}

/// <summary>A PNG or JPEG image, scaled to fit MaxHeight and the text width, at the start of the line.</summary>
public sealed class Picture(byte[] encoded, float maxHeight) : Block
{
    public byte[] Encoded { get; } = encoded;
    public float MaxHeight { get; } = maxHeight;
}

/// <summary>A QR code for a URL, drawn as vector squares, with an optional caption under it.</summary>
public sealed class QrCode(string url, float size) : Block
{
    public string Url { get; } = url;
    public float Size { get; } = size;
    public string? Caption { get; init; }
}

/// <summary>What follows starts on a new page (one voting paper a page in a print batch).</summary>
public sealed class PageBreak : Block;

/// <summary>Vertical space.</summary>
public sealed class Spacer(float height) : Block
{
    public float Height { get; } = height;
}

/// <summary>Content that cannot be laid out: names the part and why (e.g. a box taller than a page).</summary>
public sealed class LayoutException(string? part, string message) : Exception(message)
{
    public string? Part { get; } = part;
}

/// <summary>The rendered PDF and what the layout found.</summary>
public sealed record RenderedPdf(byte[] Bytes, int Pages);

/// <summary>One page as a PNG, for previews.</summary>
public sealed record RenderedImage(byte[] Png, int Width, int Height, int Pages);
