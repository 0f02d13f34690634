using System.Globalization;
using System.Text;

namespace Ballot.Core.Leaflets.Composition;

/// <summary>A run of text in one font, size and colour, shaped by HarfBuzz.</summary>
internal sealed class Seg
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

internal sealed class Word
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

internal sealed record Style(float Size, Colour Colour, bool Bold, Colour Accent);

/// <summary>
/// Shaping for one document: picks the font of the chain that draws each character (itemizing, cached process-wide),
/// shapes with the whole font, and records the code points and glyphs each font draws so that
/// <see cref="Subsets"/> can subset each font to them (cached per font and character set).
/// </summary>
internal sealed class TextShaper(bool rtl, string language)
{
    private const string BaseCharacters =
        " !\"#$%&'()*+,-./0123456789:;<=>?@ABCDEFGHIJKLMNOPQRSTUVWXYZ[\\]^_`abcdefghijklmnopqrstuvwxyz{|}~" +
        "\u00a0¡£¥§©«®°±·»¿ÀÁÂÃÄÅÆÇÈÉÊËÌÍÎÏÑÒÓÔÕÖ×ØÙÚÛÜÝßàáâãäåæçèéêëìíîïñòóôõö÷øùúûüýÿŴŵŶŷŸ‘’“”–—…•€";

    private static readonly System.Collections.Concurrent.ConcurrentDictionary<(string, bool, bool, bool), List<(FontFile, string, int[])>> Itemized = new();

    // What each font draws in this document: its code points (for the cmap) and glyph ids, recorded while shaping.
    private readonly Dictionary<FontFile, (HashSet<int> Codepoints, HashSet<ushort> Glyphs)> _used = [];
    private Dictionary<FontFile, SubsetFace>? _faces;

    public string Language => language;

    /// <summary>The part of the document being laid out, named in errors.</summary>
    public string? Part { get; set; }

    public SubsetFace SubsetOf(FontFile file) => _faces![file];

    /// <summary>
    /// One subset per font for this document. Latin fonts also get the common characters, so most personalised
    /// leaflets of a campaign share one cached subset (and SkiaSharp's caches for it) whatever the school's name.
    /// After this, text may still be shaped (page labels) but must not need a character no subset holds.
    /// </summary>
    public void Subsets()
    {
        var faces = new Dictionary<FontFile, SubsetFace>();
        foreach (var (file, (codepoints, glyphs)) in _used)
        {
            codepoints.Add(' ');
            codepoints.UnionWith("0123456789".Select(c => (int)c).Where(file.Has));
            if (!file.IsArabic) codepoints.UnionWith(BaseCharacters.EnumerateRunes().Select(r => r.Value).Where(file.Has));
            faces[file] = file.SubsetFor(codepoints.Order().ToList(), glyphs);
        }
        _faces = faces;
    }

    /// <summary>Splits spans into shaped words at spaces, tabs and newlines (a newline ends the line after the word).</summary>
    public List<Word> Words(IReadOnlyList<Span> spans, Style style)
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

    /// <summary>The same segment's font, size, colour and link for another piece of its text.</summary>
    public Seg Reshape(Seg seg, string text) => new()
    {
        Face = seg.Face, Size = seg.Size, Shape = Shape(seg.Face, text, text.EnumerateRunes().Select(r => r.Value).ToArray()), Text = text, Colour = seg.Colour, Link = seg.Link,
    };

    /// <summary>The advance of a piece of text, in points, without recording it (measuring candidate splits).</summary>
    public float Measure(Seg seg, string piece) => seg.Face.Shape(piece, language).Advance * seg.Size / seg.Face.UnitsPerEm;

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
        var shaped = file.Shape(piece, language);
        if (shaped.Missing > 0) throw new LayoutException(Part, $"The font {file} cannot draw '{piece}'.");
        if (!_used.TryGetValue(file, out var used)) _used[file] = used = ([], []);
        var before = used.Codepoints.Count;
        used.Codepoints.UnionWith(codepoints);
        used.Glyphs.UnionWith(shaped.Glyphs);
        // Page labels are shaped after the subsets are made: their characters (digits and the words of the label)
        // were put in the subsets beforehand, so nothing new may appear here.
        if (_faces is not null && (used.Codepoints.Count != before || !_faces.ContainsKey(file)))
            throw new InvalidOperationException($"Text shaped after the subsets were made: '{piece}'.");
        return shaped;
    }

    /// <summary>
    /// Splits text into runs that one font can draw: the first font of the chain that has each character; with each
    /// run's distinct code points. Cached, since bulk leaflets repeat the same text thousands of times.
    /// </summary>
    private List<(FontFile File, string Text, int[] Codepoints)> Itemize(string text, bool bold, bool italic)
    {
        var key = (text, bold, italic, rtl);
        if (Itemized.TryGetValue(key, out var hit)) return hit;
        var result = ItemizeUncached(text, bold, italic).Select(r => (r.File, r.Text, r.Text.EnumerateRunes().Select(x => x.Value).Distinct().ToArray())).ToList();
        if (Itemized.Count > 100_000) Itemized.Clear();
        Itemized[key] = result;
        return result;
    }

    private List<(FontFile File, string Text)> ItemizeUncached(string text, bool bold, bool italic)
    {
        var chain = FontLibrary.Chain(rtl, bold, italic);
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
                    throw new LayoutException(Part, $"No installed font has the character U+{cp:X4} ('{rune}'); remove it or install a font for it.");
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
}
