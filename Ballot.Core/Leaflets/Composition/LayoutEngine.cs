using System.Globalization;
using System.Text;
using QRCoder;
using SkiaSharp;

namespace Ballot.Core.Leaflets.Composition;

/// <summary>
/// Lays a <see cref="PrintDocument"/> out and draws it: shape words with HarfBuzz (whole fonts, cached) and break lines
/// at word boundaries by measured width, recording the characters and glyphs each font draws; place lines and boxes on
/// pages (a heading keeps with what follows it, a box stays whole); subset each font to what it draws (cached per font
/// and character set); draw with SkiaSharp into a PDF.
/// </summary>
internal sealed class LayoutEngine
{
    private const string BaseCharacters =
        " !\"#$%&'()*+,-./0123456789:;<=>?@ABCDEFGHIJKLMNOPQRSTUVWXYZ[\\]^_`abcdefghijklmnopqrstuvwxyz{|}~" +
        "\u00a0¡£¥§©«®°±·»¿ÀÁÂÃÄÅÆÇÈÉÊËÌÍÎÏÑÒÓÔÕÖ×ØÙÚÛÜÝßàáâãäåæçèéêëìíîïñòóôõö÷øùúûüýÿŴŵŶŷŸ‘’“”–—…•€";

    private readonly PrintDocument _doc;
    private readonly bool _rtl;
    private readonly string _language;
    private readonly float _pageW, _pageH, _margin, _body;
    // What each font draws in this document: its code points (for the cmap) and glyph ids, recorded while shaping.
    private readonly Dictionary<FontFile, (HashSet<int> Codepoints, HashSet<ushort> Glyphs)> _used = [];
    private Dictionary<FontFile, SubsetFace>? _faces;
    private string? _part;

    public LayoutEngine(PrintDocument doc)
    {
        _doc = doc;
        _rtl = doc.RightToLeft;
        _language = doc.Info.Language;
        (_pageW, _pageH, _margin, _body) = doc.Size switch
        {
            PageSize.A5 => (419.53f, 595.28f, 34f, 8.8f),
            _ => (595.28f, 841.89f, 50f, 10.5f),
        };
    }

    private float ContentWidth => _pageW - 2 * _margin;

    private (Footer Footer, float Bottom, List<List<Placed>> Pages) Lay()
    {
        var footer = LayFooter();
        var bottom = _pageH - _margin - footer.Height;
        var items = new List<Item>();
        foreach (var block in _doc.Blocks) items.Add(LayBlock(block, ContentWidth));
        var pages = Paginate(items, _margin, bottom);
        _faces = Subsets();
        return (footer, bottom, pages);
    }

    /// <summary>
    /// One page drawn onto a raster surface instead of a PDF page: the same layout and the same drawing calls, so the
    /// preview shows what the PDF prints. <paramref name="width"/> is the image's width in pixels.
    /// </summary>
    public RenderedImage RenderPng(int page, int width)
    {
        var (footer, bottom, pages) = Lay();
        if (page < 1 || page > pages.Count) throw new ArgumentOutOfRangeException(nameof(page), $"The leaflet has {pages.Count} page(s).");
        var scale = width / _pageW;
        var height = (int)Math.Round(_pageH * scale);
        using var surface = SKSurface.Create(new SKImageInfo(width, height, SKColorType.Rgba8888, SKAlphaType.Opaque))
            ?? throw new InvalidOperationException("Could not create a raster surface.");
        var canvas = surface.Canvas;
        canvas.Clear(SKColors.White);
        canvas.Scale(scale);
        foreach (var placed in pages[page - 1]) placed.Draw(canvas);
        DrawFooter(canvas, footer, page, pages.Count, bottom);
        canvas.Flush();
        using var pixels = surface.PeekPixels();
        // Opaque, one cheap filter and a light zlib level: most of a preview's time was deflating at the default level.
        using var png = pixels.Encode(new SKPngEncoderOptions(SKPngEncoderFilterFlags.Sub, 3)) ?? throw new InvalidOperationException("Could not encode the preview as PNG.");
        return new RenderedImage(png.ToArray(), width, height, pages.Count);
    }

    public RenderedPdf Render()
    {
        var (footer, bottom, pages) = Lay();

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
            for (var p = 0; p < pages.Count; p++)
            {
                var canvas = pdf.BeginPage(_pageW, _pageH);
                foreach (var placed in pages[p]) placed.Draw(canvas);
                DrawFooter(canvas, footer, p + 1, pages.Count, bottom);
                pdf.EndPage();
            }
            pdf.Close();
        }
        return new RenderedPdf(PdfCatalog.AddLanguage(stream.ToArray(), _language), pages.Count);
    }

    /// <summary>
    /// One subset per font for this document. Latin fonts also get the common characters, so most personalised
    /// leaflets of a campaign share one cached subset (and SkiaSharp's caches for it) whatever the school's name.
    /// </summary>
    private Dictionary<FontFile, SubsetFace> Subsets()
    {
        var faces = new Dictionary<FontFile, SubsetFace>();
        foreach (var (file, (codepoints, glyphs)) in _used)
        {
            codepoints.Add(' ');
            codepoints.UnionWith("0123456789".Select(c => (int)c).Where(file.Has));
            if (!file.IsArabic) codepoints.UnionWith(BaseCharacters.EnumerateRunes().Select(r => r.Value).Where(file.Has));
            faces[file] = file.SubsetFor(codepoints.Order().ToList(), glyphs);
        }
        return faces;
    }

    private static readonly System.Collections.Concurrent.ConcurrentDictionary<(string, bool, bool, bool), List<(FontFile, string, int[])>> Itemized = new();

    /// <summary>
    /// Splits text into runs that one font can draw: the first font of the chain that has each character; with each
    /// run's distinct code points. Cached, since bulk leaflets repeat the same text thousands of times.
    /// </summary>
    private List<(FontFile File, string Text, int[] Codepoints)> Itemize(string text, bool bold, bool italic)
    {
        var key = (text, bold, italic, _rtl);
        if (Itemized.TryGetValue(key, out var hit)) return hit;
        var result = ItemizeUncached(text, bold, italic).Select(r => (r.File, r.Text, r.Text.EnumerateRunes().Select(x => x.Value).Distinct().ToArray())).ToList();
        if (Itemized.Count > 100_000) Itemized.Clear();
        Itemized[key] = result;
        return result;
    }

    private List<(FontFile File, string Text)> ItemizeUncached(string text, bool bold, bool italic)
    {
        var chain = FontLibrary.Chain(_rtl, bold, italic);
        var result = new List<(FontFile, string)>();
        FontFile? current = null;
        var sb = new StringBuilder();
        foreach (var rune in text.EnumerateRunes())
        {
            var cp = rune.Value;
            FontFile? file;
            if (current is not null && current.Has(cp)) file = current;
            else
            {
                file = null;
                foreach (var f in chain) if (f.Has(cp)) { file = f; break; }
                file ??= FontLibrary.ForCharacter(cp);
                if (file is null)
                {
                    // Invisible formatting characters (bidi marks, soft hyphens) no font draws are dropped, not boxed.
                    if (Rune.GetUnicodeCategory(rune) == UnicodeCategory.Format) continue;
                    throw new LayoutException(_part, $"No installed font has the character U+{cp:X4} ('{rune}'); remove it or install a font for it.");
                }
            }
            if (file != current && sb.Length > 0)
            {
                result.Add((current!, sb.ToString()));
                sb.Clear();
            }
            current = file;
            sb.Append(rune.ToString());
        }
        if (sb.Length > 0) result.Add((current!, sb.ToString()));
        return result;
    }

    // ---------- shaping and lines ----------

    private sealed class Seg
    {
        public required FontFile Face { get; init; }
        public required float Size { get; init; }
        public required Shaped Shape { get; init; }
        public required string Text { get; init; }
        public required Colour Colour { get; init; }
        public string? Link { get; init; }
        public float Width => Shape.Advance * Size / Face.UnitsPerEm;
        public bool Arabic => Face.IsArabic;
    }

    private sealed class Word
    {
        public List<Seg> Segs { get; } = [];
        public float Width => Segs.Sum(s => s.Width);
        public bool SpaceAfter { get; set; }
        public bool BreakAfter { get; set; }
        public int Direction { get; set; } // 1 right-to-left, -1 left-to-right, 0 neutral

        public float SpaceWidth
        {
            get
            {
                var s = Segs[^1];
                return s.Face.SpaceAdvance * s.Size / s.Face.UnitsPerEm;
            }
        }
    }

    private sealed class Line
    {
        public List<Word> Words { get; } = [];
        public float Indent { get; set; }
        public Word? Marker { get; set; }
        public float Height { get; set; }
        public float Ascent { get; set; }

        public float Width => Words.Sum(w => w.Width) + Words.Take(Words.Count - 1).Sum(w => w.SpaceWidth);
    }

    private sealed record Style(float Size, Colour Colour, bool Bold, Colour Accent);

    private List<Word> Words(IReadOnlyList<Span> spans, Style style)
    {
        var words = new List<Word>();
        var current = new Word();
        void Finish(bool space, bool br)
        {
            if (current.Segs.Count == 0)
            {
                if (br && words.Count > 0) words[^1].BreakAfter = true;
                return;
            }
            current.SpaceAfter = space;
            current.BreakAfter = br;
            current.Direction = DirectionOf(current);
            words.Add(current);
            current = new Word();
        }
        foreach (var span in spans)
        {
            var text = span.Text.Replace("\r", "");
            var start = 0;
            for (var i = 0; i <= text.Length; i++)
            {
                if (i < text.Length && text[i] is not (' ' or '\t' or '\n')) continue;
                if (i > start) AddPiece(current, text[start..i], span, style);
                if (i < text.Length) Finish(text[i] != '\n', text[i] == '\n');
                start = i + 1;
            }
        }
        Finish(false, false);
        return words;
    }

    private void AddPiece(Word word, string text, Span span, Style style)
    {
        var bold = style.Bold || span.Bold;
        var colour = span.Link is null ? style.Colour : style.Accent;
        foreach (var (file, piece, codepoints) in Itemize(text, bold, span.Italic))
        {
            var shaped = Shape(file, piece, codepoints);
            word.Segs.Add(new Seg { Face = file, Size = style.Size, Shape = shaped, Text = piece, Colour = colour, Link = span.Link });
        }
    }

    /// <summary>Shapes with the whole font and records the code points and glyphs the document's subset must hold.</summary>
    private Shaped Shape(FontFile file, string piece, int[] codepoints)
    {
        var shaped = file.Shape(piece, _language);
        if (shaped.Missing > 0) throw new LayoutException(_part, $"The font {file} cannot draw '{piece}'.");
        if (!_used.TryGetValue(file, out var used)) _used[file] = used = ([], []);
        var before = used.Codepoints.Count;
        used.Codepoints.UnionWith(codepoints);
        used.Glyphs.UnionWith(shaped.Glyphs);
        // Page labels are shaped while drawing, after the subsets are made: their characters (digits and the words of
        // the label) were put in the subsets beforehand, so nothing new may appear here.
        if (_faces is not null && (used.Codepoints.Count != before || !_faces.ContainsKey(file)))
            throw new InvalidOperationException($"Text shaped after the subsets were made: '{piece}'.");
        return shaped;
    }

    private static int DirectionOf(Word w)
    {
        foreach (var seg in w.Segs)
        foreach (var r in seg.Text.EnumerateRunes())
        {
            var v = r.Value;
            if (v is >= 0x0590 and <= 0x08FF or >= 0xFB1D and <= 0xFDFF or >= 0xFE70 and <= 0xFEFF) return 1;
            if (Rune.IsLetter(r)) return -1;
        }
        return 0;
    }

    private List<Line> BreakLines(List<Word> words, float width, float indent = 0)
    {
        var lines = new List<Line>();
        var line = new Line { Indent = indent };
        float used = 0;
        foreach (var original in words)
        {
            foreach (var word in original.Width > width - indent ? SplitLongWord(original, width - indent) : [original])
            {
                var add = (line.Words.Count > 0 ? line.Words[^1].SpaceWidth : 0) + word.Width;
                if (line.Words.Count > 0 && used + add > width - indent)
                {
                    lines.Add(line);
                    line = new Line { Indent = indent };
                    used = 0;
                    add = word.Width;
                }
                line.Words.Add(word);
                used += add;
                if (word.BreakAfter)
                {
                    lines.Add(line);
                    line = new Line { Indent = indent };
                    used = 0;
                }
            }
        }
        if (line.Words.Count > 0 || lines.Count == 0) lines.Add(line);
        foreach (var l in lines) Measure(l, words.Count > 0 ? words[0].Segs[0].Size : _body);
        return lines;
    }

    /// <summary>A word wider than the line (a long web address) is broken between characters rather than cut off.</summary>
    private List<Word> SplitLongWord(Word word, float width)
    {
        var result = new List<Word>();
        var current = new Word();
        float used = 0;
        foreach (var seg in word.Segs)
        {
            var elements = StringInfo.GetTextElementEnumerator(seg.Text);
            var chunk = new StringBuilder();
            while (elements.MoveNext())
            {
                var piece = chunk + elements.GetTextElement();
                var w = seg.Face.Shape(piece.ToString(), _language).Advance * seg.Size / seg.Face.UnitsPerEm;
                if (used + w > width && (chunk.Length > 0 || current.Segs.Count > 0))
                {
                    if (chunk.Length > 0) current.Segs.Add(Reshape(seg, chunk.ToString()));
                    current.Direction = word.Direction;
                    result.Add(current);
                    current = new Word();
                    used = 0;
                    chunk.Clear();
                }
                chunk.Append(elements.GetTextElement());
            }
            if (chunk.Length > 0)
            {
                var s = Reshape(seg, chunk.ToString());
                current.Segs.Add(s);
                used += s.Width;
            }
        }
        current.SpaceAfter = word.SpaceAfter;
        current.BreakAfter = word.BreakAfter;
        current.Direction = word.Direction;
        result.Add(current);
        return result;
    }

    private Seg Reshape(Seg seg, string text) => new()
    {
        Face = seg.Face, Size = seg.Size, Shape = Shape(seg.Face, text, text.EnumerateRunes().Select(r => r.Value).ToArray()), Text = text, Colour = seg.Colour, Link = seg.Link,
    };

    private static void Measure(Line line, float fallbackSize)
    {
        float height = 0, ascent = 0;
        foreach (var seg in line.Words.SelectMany(w => w.Segs).Concat(line.Marker?.Segs ?? []))
        {
            height = Math.Max(height, seg.Size * (seg.Arabic ? 1.85f : 1.38f));
            ascent = Math.Max(ascent, seg.Size * (seg.Arabic ? 1.3f : 1.02f));
        }
        if (height == 0) (height, ascent) = (fallbackSize * 1.38f, fallbackSize * 1.02f);
        line.Height = height;
        line.Ascent = ascent;
    }

    // ---------- blocks to items ----------

    private abstract class Item
    {
        public float SpaceBefore { get; init; }
        public bool KeepWithNext { get; init; }
        public string? Part { get; init; }
    }

    private sealed class TextItem : Item
    {
        public required List<Line> Lines { get; init; }
    }

    private sealed class BreakItem : Item;

    private sealed class AtomItem : Item
    {
        public required float Height { get; init; }
        public required Action<SKCanvas, float, float> Draw { get; init; }
    }

    private float SizeOf(Heading h) => h.Level switch { 1 => _body * 2.3f, 2 => _body * 1.45f, _ => _body * 1.15f };

    private float SizeOf(TextRole role) => role switch
    {
        TextRole.Lead => _body * 1.2f,
        TextRole.Small => _body * 0.78f,
        TextRole.Label => _body * 0.95f,
        _ => _body,
    };

    private Item LayBlock(Block block, float width, Colour? textColour = null)
    {
        _part = block.Part;
        switch (block)
        {
            case Heading h:
            {
                var colour = textColour ?? (h.Level <= 2 ? _doc.Accent : Colour.Black);
                var lines = BreakLines(Words(h.Spans, new Style(SizeOf(h), colour, true, colour)), width);
                foreach (var l in lines) l.Height *= 0.9f;
                return new TextItem
                {
                    Lines = lines, KeepWithNext = true, Part = block.Part,
                    SpaceBefore = h.Level == 1 ? _body * 0.4f : h.Level == 2 ? _body * 1.1f : _body * 0.7f,
                };
            }
            case Paragraph p:
            {
                var colour = textColour ?? p.Colour ?? Colour.Black;
                var style = new Style(SizeOf(p.Role), colour, p.Role == TextRole.Label, textColour ?? _doc.Accent);
                return new TextItem { Lines = BreakLines(Words(p.Spans, style), width), SpaceBefore = _body * 0.55f, Part = block.Part };
            }
            case ListBlock l:
            {
                var colour = textColour ?? Colour.Black;
                var style = new Style(_body, colour, false, textColour ?? _doc.Accent);
                var indent = _body * (l.Ordered ? 2.0f : 1.5f);
                var lines = new List<Line>();
                for (var i = 0; i < l.Items.Count; i++)
                {
                    var itemLines = BreakLines(Words(l.Items[i], style), width, indent);
                    itemLines[0].Marker = Words([new Span(l.Ordered ? $"{i + 1}." : "•")], style with { Colour = textColour ?? _doc.Accent, Bold = true })[0];
                    Measure(itemLines[0], _body);
                    if (i > 0) itemLines[0].Height += _body * 0.3f;
                    lines.AddRange(itemLines);
                }
                return new TextItem { Lines = lines, SpaceBefore = _body * 0.55f, Part = block.Part };
            }
            case PageBreak:
                return new BreakItem { Part = block.Part };
            case Spacer s:
                return new AtomItem { Height = s.Height, Draw = (_, _, _) => { }, Part = block.Part };
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

    private AtomItem LayPicture(Picture pic, float width)
    {
        var image = SKImage.FromEncodedData(pic.Encoded)
            ?? throw new LayoutException(pic.Part, "The image could not be read; give a PNG or JPEG file.");
        var h = pic.MaxHeight;
        var w = h * image.Width / image.Height;
        if (w > width) (w, h) = (width, width * image.Height / image.Width);
        return new AtomItem
        {
            Height = h, SpaceBefore = 0, Part = pic.Part,
            Draw = (canvas, left, top) =>
            {
                var x = _rtl ? left + width - w : left;
                using var paint = new SKPaint { IsAntialias = true };
                canvas.DrawImage(image, SKRect.Create(x, top, w, h), new SKSamplingOptions(SKFilterMode.Linear, SKMipmapMode.None), paint);
            },
        };
    }

    private AtomItem LayQr(QrCode q, float width, bool centre = false)
    {
        List<System.Collections.BitArray> matrix;
        using (var generator = new QRCodeGenerator())
        using (var data = generator.CreateQrCode(q.Url, QRCodeGenerator.ECCLevel.M))
            matrix = data.ModuleMatrix;
        var caption = q.Caption is null ? [] : BreakLines(Words([new Span(q.Caption)], new Style(_body * 0.75f, Colour.Black, false, Colour.Black)), Math.Max(q.Size, _body * 8));
        var captionHeight = caption.Sum(l => l.Height);
        return new AtomItem
        {
            Height = q.Size + captionHeight, SpaceBefore = _body * 0.5f, Part = q.Part,
            Draw = (canvas, left, top) =>
            {
                var x = centre ? left + (width - q.Size) / 2 : _rtl ? left + width - q.Size : left;
                DrawQr(canvas, matrix, x, top, q.Size);
                var y = top + q.Size;
                foreach (var line in caption)
                {
                    DrawLine(canvas, line, x + q.Size / 2 - line.Width / 2, y, line.Width, centred: true);
                    y += line.Height;
                }
            },
        };
    }

    private static void DrawQr(SKCanvas canvas, List<System.Collections.BitArray> matrix, float x, float y, float size)
    {
        var n = matrix.Count;
        var m = size / n;
        using var white = new SKPaint { Color = SKColors.White, IsAntialias = false };
        using var black = new SKPaint { Color = SKColors.Black, IsAntialias = false };
        canvas.DrawRect(SKRect.Create(x, y, size, size), white);
        using var path = new SKPath();
        for (var row = 0; row < n; row++)
        {
            var bits = matrix[row];
            for (var col = 0; col < n; col++)
            {
                if (!bits[col]) continue;
                var start = col;
                while (col + 1 < n && bits[col + 1]) col++;
                path.AddRect(SKRect.Create(x + start * m, y + row * m, (col - start + 1) * m, m));
            }
        }
        canvas.DrawPath(path, black);
    }

    private AtomItem LayBox(Box b, float width)
    {
        var pad = _body * 1.1f;
        var text = b.TextColour ?? (b.Background.Luminance < 0.35 ? Colour.White : Colour.Black);
        var asideWidth = b.Aside is null ? 0 : Math.Max(b.Aside.Size, _body * 8);
        AtomItem? aside = b.Aside is null ? null : LayQr(b.Aside, asideWidth, centre: true);
        var innerWidth = width - 2 * pad - (aside is null ? 0 : asideWidth + pad);
        var inner = new List<(Line Line, float Y)>();
        float y = 0;
        foreach (var block in b.Content)
        {
            var item = (TextItem)LayBlock(block, innerWidth, text);
            if (inner.Count > 0) y += item.SpaceBefore;
            foreach (var line in item.Lines)
            {
                inner.Add((line, y));
                y += line.Height;
            }
        }
        _part = b.Part;
        var height = Math.Max(y, aside?.Height ?? 0) + 2 * pad;
        return new AtomItem
        {
            Height = height, SpaceBefore = _body * 1.1f, Part = b.Part,
            Draw = (canvas, left, top) =>
            {
                using (var fill = new SKPaint { Color = Sk(b.Background), IsAntialias = true })
                    canvas.DrawRoundRect(SKRect.Create(left, top, width, height), 6, 6, fill);
                var textLeft = left + pad + (_rtl && aside is not null ? asideWidth + pad : 0);
                foreach (var (line, ly) in inner) DrawLine(canvas, line, textLeft, top + pad + ly, innerWidth);
                if (aside is not null)
                {
                    var asideLeft = _rtl ? left + pad : left + width - pad - asideWidth;
                    aside.Draw(canvas, asideLeft, top + pad);
                }
            },
        };
    }

    // ---------- pages ----------

    private sealed record Placed(Action<SKCanvas> Draw);

    private List<List<Placed>> Paginate(List<Item> items, float top, float bottom)
    {
        var contentHeight = bottom - top;
        var pages = new List<List<Placed>> { new() };
        var y = top;
        void NewPage(Item cause)
        {
            pages.Add([]);
            y = top;
            if (pages.Count > _doc.MaxPages)
                throw new LayoutException(cause.Part,
                    $"The content needs more than {_doc.MaxPages} {_doc.Size} pages; it overflows at {cause.Part ?? "the end"}. Shorten it or choose a larger page size.");
        }
        for (var i = 0; i < items.Count; i++)
        {
            var item = items[i];
            var next = i + 1 < items.Count ? items[i + 1] : null;
            var sb = y == top ? 0 : item.SpaceBefore;
            switch (item)
            {
                case BreakItem:
                    if (y > top) NewPage(item);
                    break;
                case AtomItem atom:
                {
                    if (atom.Height > contentHeight)
                        throw new LayoutException(atom.Part,
                            $"{atom.Part ?? "A box"} is {atom.Height:0} pt tall and does not fit on one {_doc.Size} page ({contentHeight:0} pt); shorten it.");
                    var need = sb + atom.Height + (atom.KeepWithNext && next is not null ? FirstPart(next) : 0);
                    if (y + need > bottom && y > top) { NewPage(atom); sb = 0; }
                    var at = y + sb;
                    pages[^1].Add(new Placed(c => atom.Draw(c, _margin, at)));
                    y = at + atom.Height;
                    break;
                }
                case TextItem text:
                {
                    var lines = text.Lines;
                    // A heading needs itself and the start of what follows; a paragraph at least two lines (no orphan).
                    var need = sb + (text.KeepWithNext
                        ? lines.Sum(l => l.Height) + (next is not null ? FirstPart(next) : 0)
                        : lines.Take(Math.Min(2, lines.Count)).Sum(l => l.Height));
                    if (y + need > bottom && y > top && need <= contentHeight) { NewPage(text); sb = 0; }
                    y += sb;
                    foreach (var line in lines)
                    {
                        if (y + line.Height > bottom) NewPage(text);
                        var at = y;
                        pages[^1].Add(new Placed(c => DrawLine(c, line, _margin, at, ContentWidth)));
                        y += line.Height;
                    }
                    break;
                }
            }
        }
        return pages;
    }

    private static float FirstPart(Item item) => item switch
    {
        TextItem t => t.SpaceBefore + t.Lines.Take(2).Sum(l => l.Height),
        AtomItem a => a.SpaceBefore + a.Height,
        _ => 0,
    };

    // ---------- footer ----------

    private sealed record Footer(List<Line> Imprint, float Height, float LabelSize);

    private Footer LayFooter()
    {
        var size = _body * 0.72f;
        var style = new Style(size, Colour.Grey, false, Colour.Grey);
        var labelWidth = Words([new Span(_doc.PageLabel(_doc.MaxPages, _doc.MaxPages))], style).Sum(w => w.Width + w.SpaceWidth);
        var imprint = _doc.FooterText is null ? [] : BreakLines(Words([new Span(_doc.FooterText)], style), ContentWidth - labelWidth - _body * 2);
        var height = Math.Max(imprint.Sum(l => l.Height), size * 1.4f) + _body * 1.2f;
        return new Footer(imprint, height, size);
    }

    private void DrawFooter(SKCanvas canvas, Footer footer, int page, int pages, float bottom)
    {
        var top = bottom + _body * 0.8f;
        using (var rule = new SKPaint { Color = Sk(Colour.Grey.Tint(0.6f)), StrokeWidth = 0.5f, IsAntialias = true })
            canvas.DrawLine(_margin, top - _body * 0.35f, _pageW - _margin, top - _body * 0.35f, rule);
        var y = top;
        foreach (var line in footer.Imprint)
        {
            DrawLine(canvas, line, _margin, y, ContentWidth);
            y += line.Height;
        }
        var style = new Style(footer.LabelSize, Colour.Grey, false, Colour.Grey);
        var label = BreakLines(Words([new Span(_doc.PageLabel(page, pages))], style), ContentWidth)[0];
        // The label sits at the end of the line: right in left-to-right text, left in right-to-left.
        var x = _rtl ? _margin : _pageW - _margin - label.Width;
        DrawLine(canvas, label, x, top, label.Width, centred: true);
    }

    // ---------- drawing ----------

    /// <summary>Draws a line with its top at y inside the box [left, left + width], aligned to the start side.</summary>
    private void DrawLine(SKCanvas canvas, Line line, float left, float y, float width, bool centred = false)
    {
        var baseline = y + line.Ascent;
        var x = centred ? left : _rtl ? left + width - line.Indent - line.Width : left + line.Indent;
        var placed = new List<(Seg Seg, float X, float Space)>();
        if (line.Marker is { } marker)
        {
            var gap = _body * 0.5f;
            var mx = _rtl ? left + width - line.Indent + gap : left + line.Indent - gap - marker.Width;
            PlaceWord(placed, marker, mx, 0);
        }
        var visual = VisualOrder(line.Words);
        for (var i = 0; i < visual.Count; i++)
        {
            var word = visual[i];
            var gap = i < visual.Count - 1 ? GapWidth(line.Words, word, visual[i + 1]) : 0;
            PlaceWord(placed, word, x, gap);
            x += word.Width + gap;
        }
        DrawRuns(canvas, placed, baseline);
    }

    private static float GapWidth(List<Word> logical, Word a, Word b) =>
        logical.IndexOf(a) < logical.IndexOf(b) ? a.SpaceWidth : b.SpaceWidth;

    /// <summary>Word-level bidi: in a right-to-left line, runs of left-to-right words keep their order, and the reverse.</summary>
    private List<Word> VisualOrder(List<Word> words)
    {
        var baseDir = _rtl ? 1 : -1;
        var dirs = new int[words.Count];
        var last = baseDir;
        for (var i = 0; i < words.Count; i++)
        {
            // A word with no strong letter (a number, a dash) follows the word before it.
            dirs[i] = words[i].Direction != 0 ? words[i].Direction : (i > 0 ? last : baseDir);
            last = dirs[i];
        }
        var runs = new List<(int Dir, List<Word> Words)>();
        for (var i = 0; i < words.Count; i++)
        {
            if (i == 0 || dirs[i] != dirs[i - 1]) runs.Add((dirs[i], []));
            runs[^1].Words.Add(words[i]);
        }
        if (_rtl) runs.Reverse();
        var result = new List<Word>(words.Count);
        foreach (var (dir, run) in runs)
        {
            if (dir == 1) run.Reverse();
            result.AddRange(run);
        }
        return result;
    }

    private static void PlaceWord(List<(Seg, float, float)> placed, Word word, float x, float gap)
    {
        var segs = word.Direction == 1 ? Enumerable.Reverse(word.Segs).ToList() : word.Segs;
        for (var i = 0; i < segs.Count; i++)
        {
            placed.Add((segs[i], x, i == segs.Count - 1 ? gap : 0));
            x += segs[i].Width;
        }
    }

    /// <summary>
    /// Draws a line's segments as few text blobs as it can (one per colour, one run per font within it): each run
    /// carries its UTF-8 text and clusters, so the PDF's text extracts as written (Skia writes ActualText where glyphs
    /// and characters are not one to one, as in joined Arabic letters). The gap after a word is a real space glyph.
    /// </summary>
    private void DrawRuns(SKCanvas canvas, List<(Seg Seg, float X, float Space)> placed, float baseline)
    {
        var i = 0;
        while (i < placed.Count)
        {
            var first = placed[i].Seg;
            var j = i;
            while (j < placed.Count && placed[j].Seg.Colour == first.Colour && placed[j].Seg.Face == first.Face && placed[j].Seg.Size == first.Size) j++;
            using (var builder = new SKTextBlobBuilder())
            {
                AddRun(builder, placed, i, j);
                using var blob = builder.Build();
                using var paint = new SKPaint { Color = Sk(first.Colour), IsAntialias = true };
                // Each run starts at its own origin, so its glyph positions are exactly the sums of the advances Skia
                // expects and it writes one string per run instead of moving the text position for every glyph.
                canvas.Save();
                canvas.Translate(placed[i].X, baseline);
                if (blob is not null) canvas.DrawText(blob, 0, 0, paint);
                canvas.Restore();
            }
            i = j;
        }
        foreach (var (seg, x, space) in placed)
        {
            if (seg.Link is null) continue;
            using var underline = new SKPaint { Color = Sk(seg.Colour), StrokeWidth = seg.Size * 0.06f, IsAntialias = true };
            canvas.DrawLine(x, baseline + seg.Size * 0.14f, x + seg.Width, baseline + seg.Size * 0.14f, underline);
            using var _ = canvas.DrawUrlAnnotation(SKRect.Create(x, baseline - seg.Size, seg.Width + space, seg.Size * 1.3f), seg.Link);
        }
    }

    /// <summary>One run of glyphs in one font, size and colour, positioned from the run's first glyph (0, 0).</summary>
    private void AddRun(SKTextBlobBuilder builder, List<(Seg Seg, float X, float Space)> placed, int from, int to)
    {
        var face = placed[from].Seg.Face;
        var subset = _faces![face];
        var size = placed[from].Seg.Size;
        // As Skia's PDF writer computes a glyph's advance: size / units per em, times the advance in font units.
        var scale = size / (float)face.UnitsPerEm;
        var glyphCount = 0;
        var text = new StringBuilder();
        for (var k = from; k < to; k++)
        {
            glyphCount += placed[k].Seg.Shape.Glyphs.Length + (placed[k].Space > 0 ? 1 : 0);
            text.Append(placed[k].Seg.Text);
            if (placed[k].Space > 0) text.Append(' ');
        }
        var utf8 = Encoding.UTF8.GetBytes(text.ToString());
        var font = subset.FontAt(size);
        var run = builder.AllocatePositionedTextRun(font, glyphCount, utf8.Length, null);
        var glyphs = run.Glyphs;
        var positions = run.Positions;
        var clusters = run.Clusters;
        var g = 0;
        var textBytes = 0;
        var origin = placed[from].X;
        float pen = 0;
        for (var k = from; k < to; k++)
        {
            var (seg, x, space) = placed[k];
            if (Math.Abs(x - origin - pen) > 0.01f) pen = x - origin;
            var shape = seg.Shape;
            var offsets = Utf8Offsets(seg.Text);
            for (var n = 0; n < shape.Glyphs.Length; n++, g++)
            {
                glyphs[g] = shape.Glyphs[n];
                positions[g] = new SKPoint(pen + shape.OffsetsX[n] * scale, -shape.OffsetsY[n] * scale);
                clusters[g] = (uint)(textBytes + offsets[shape.Clusters[n]]);
                pen += scale * shape.Advances[n];
            }
            textBytes += offsets[seg.Text.Length];
            if (space > 0)
            {
                glyphs[g] = face.SpaceGlyph;
                positions[g] = new SKPoint(pen, 0);
                clusters[g] = (uint)textBytes;
                g++;
                textBytes += 1;
                pen += scale * face.SpaceAdvance;
            }
        }
        utf8.CopyTo(run.Text);
    }

    /// <summary>UTF-8 byte offset of each UTF-16 index (HarfBuzz clusters are UTF-16 indices here), plus the total.</summary>
    private static int[] Utf8Offsets(string text)
    {
        var offsets = new int[text.Length + 1];
        var b = 0;
        for (var i = 0; i < text.Length; i++)
        {
            offsets[i] = b;
            var c = text[i];
            b += c < 0x80 ? 1 : c < 0x800 ? 2 : char.IsHighSurrogate(c) ? 4 : char.IsLowSurrogate(c) ? 0 : 3;
        }
        offsets[text.Length] = b;
        return offsets;
    }

    private static SKColor Sk(Colour c) => new(c.R, c.G, c.B);
}
