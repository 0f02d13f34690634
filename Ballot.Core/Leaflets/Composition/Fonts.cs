using System.Collections.Concurrent;
using System.Diagnostics;
using System.Runtime.InteropServices;
using System.Text;
using HarfBuzzSharp;
using SkiaSharp;

namespace Ballot.Core.Leaflets.Composition;

/// <summary>
/// HarfBuzz's subsetter, exported by the libHarfBuzzSharp.so that HarfBuzzSharp.NativeAssets.Linux ships
/// (HarfBuzzSharp has no managed wrapper for it). See https://harfbuzz.github.io/harfbuzz-hb-subset.html.
/// </summary>
internal static partial class HbSubset
{
    private const string Lib = "libHarfBuzzSharp";

    [LibraryImport(Lib)] private static partial IntPtr hb_subset_input_create_or_fail();
    [LibraryImport(Lib)] private static partial IntPtr hb_subset_input_unicode_set(IntPtr input);
    [LibraryImport(Lib)] private static partial IntPtr hb_subset_input_glyph_set(IntPtr input);
    [LibraryImport(Lib)] private static partial IntPtr hb_subset_input_set(IntPtr input, int setType);
    [LibraryImport(Lib)] private static partial void hb_subset_input_set_flags(IntPtr input, uint flags);
    [LibraryImport(Lib)] private static partial void hb_subset_input_destroy(IntPtr input);
    [LibraryImport(Lib)] private static partial void hb_set_add(IntPtr set, uint codepoint);
    [LibraryImport(Lib)] private static partial IntPtr hb_subset_or_fail(IntPtr face, IntPtr input);
    [LibraryImport(Lib)] private static partial IntPtr hb_face_reference_blob(IntPtr face);
    [LibraryImport(Lib)] private static partial void hb_face_destroy(IntPtr face);
    [LibraryImport(Lib)] private static partial void hb_blob_destroy(IntPtr blob);
    [LibraryImport(Lib)] private static partial IntPtr hb_blob_get_data(IntPtr blob, out uint length);
    [LibraryImport(Lib)] private static partial void hb_font_make_immutable(IntPtr font);

    /// <summary>HarfBuzzSharp wraps this for faces but not for fonts.</summary>
    public static void MakeImmutable(HarfBuzzSharp.Font font) => hb_font_make_immutable(font.Handle);

    private const uint NoHinting = 0x1, RetainGids = 0x2;
    private const int DropTableTags = 3;
    private static readonly uint[] LayoutTables = [Tag("GSUB"), Tag("GPOS"), Tag("GDEF"), Tag("morx"), Tag("kerx"), Tag("kern")];

    private static uint Tag(string t) => (uint)(t[0] << 24 | t[1] << 16 | t[2] << 8 | t[3]);

    /// <summary>
    /// A font file holding only these code points (its cmap, which the PDF's ToUnicode map is built from) and these
    /// glyphs, at their original glyph ids. Text is shaped with the whole font, so the subset needs no layout tables,
    /// and hinting means nothing on paper: both are dropped, which makes the font, and so every PDF, smaller.
    /// </summary>
    public static byte[] Subset(Face face, IEnumerable<int> codepoints, IEnumerable<ushort> glyphs)
    {
        var input = hb_subset_input_create_or_fail();
        if (input == IntPtr.Zero) throw new InvalidOperationException("HarfBuzz could not create a subset input.");
        IntPtr subset;
        try
        {
            var set = hb_subset_input_unicode_set(input);
            foreach (var cp in codepoints) hb_set_add(set, (uint)cp);
            var glyphSet = hb_subset_input_glyph_set(input);
            foreach (var g in glyphs) hb_set_add(glyphSet, g);
            var drop = hb_subset_input_set(input, DropTableTags);
            foreach (var tag in LayoutTables) hb_set_add(drop, tag);
            hb_subset_input_set_flags(input, NoHinting | RetainGids);
            subset = hb_subset_or_fail(face.Handle, input);
        }
        finally { hb_subset_input_destroy(input); }
        if (subset == IntPtr.Zero) throw new InvalidOperationException("HarfBuzz could not subset the font.");
        var blob = hb_face_reference_blob(subset);
        try
        {
            var data = hb_blob_get_data(blob, out var length);
            var bytes = new byte[length];
            Marshal.Copy(data, bytes, 0, (int)length);
            return bytes;
        }
        finally
        {
            hb_blob_destroy(blob);
            hb_face_destroy(subset);
        }
    }
}

/// <summary>Glyphs and positions in font units, in visual order, as HarfBuzz shaped them.</summary>
internal sealed record Shaped(ushort[] Glyphs, int[] Advances, int[] OffsetsX, int[] OffsetsY, uint[] Clusters, int Advance, int Missing);

/// <summary>
/// A whole font file found through fontconfig. Text is shaped with the whole font (one HarfBuzz font and one cache of
/// shaped words per file, shared by every document); each document draws with a subset holding what it uses.
/// </summary>
internal sealed class FontFile
{
    private const int MaxSubsets = 64;
    private const int MaxShapes = 100_000;
    private readonly Face _face;
    private readonly HarfBuzzSharp.Font _font;
    private readonly GCHandle _pin;
    private readonly ConcurrentDictionary<string, Lazy<SubsetFace>> _subsets = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<(string, string), Shaped> _shapes = new();
    // Which BMP characters the font has, asked of HarfBuzz once each: 0 unknown, 1 no, 2 yes.
    private readonly byte[] _bmp = new byte[0x10000];
    // Latin ligatures (fi, fl) are turned off: PDF readers that ignore ActualText would read a ligature glyph as
    // one unknown character, so "leaflet" would not be found. Arabic's required forms and ligatures (rlig) stay on.
    private readonly Feature[] _features;

    public FontFile(string path, string family, bool bold, bool italic)
    {
        Path = path;
        Family = family;
        Bold = bold;
        Italic = italic;
        Data = File.ReadAllBytes(path);
        _pin = GCHandle.Alloc(Data, GCHandleType.Pinned);
        var blob = new Blob(_pin.AddrOfPinnedObject(), Data.Length, MemoryMode.ReadOnly);
        _face = new Face(blob, 0);
        UnitsPerEm = _face.UnitsPerEm;
        _font = new HarfBuzzSharp.Font(_face);
        _font.SetScale(UnitsPerEm, UnitsPerEm);
        // Shaped from many threads at once in a bulk run: HarfBuzz allows that for immutable fonts and faces.
        _face.MakeImmutable();
        HbSubset.MakeImmutable(_font);
        _font.TryGetGlyph(' ', out var space);
        SpaceGlyph = (ushort)space;
        SpaceAdvance = _font.GetHorizontalGlyphAdvance(space);
        IsArabic = family.Contains("Arabic", StringComparison.OrdinalIgnoreCase);
        _features = IsArabic ? [] : [Feature.Parse("liga=0"), Feature.Parse("clig=0"), Feature.Parse("kern=0")];
    }

    public string Path { get; }
    public string Family { get; }
    public bool Bold { get; }
    public bool Italic { get; }
    public bool IsArabic { get; }
    public byte[] Data { get; }
    public int UnitsPerEm { get; }
    public ushort SpaceGlyph { get; }
    public int SpaceAdvance { get; }

    public bool Has(int codepoint)
    {
        if (codepoint > 0xFFFF) return _font.TryGetGlyph((uint)codepoint, out _);
        var known = _bmp[codepoint];
        if (known != 0) return known == 2;
        var has = _font.TryGetGlyph((uint)codepoint, out _);
        _bmp[codepoint] = has ? (byte)2 : (byte)1;
        return has;
    }

    public ushort GlyphOf(int codepoint) => _font.TryGetGlyph((uint)codepoint, out var g) ? (ushort)g : (ushort)0;

    public Shaped Shape(string text, string language)
    {
        if (_shapes.TryGetValue((text, language), out var hit)) return hit;
        using var buffer = new HarfBuzzSharp.Buffer();
        buffer.AddUtf16(text);
        buffer.GuessSegmentProperties();
        buffer.Language = new Language(language);
        _font.Shape(buffer, _features);
        var infos = buffer.GlyphInfos;
        var positions = buffer.GlyphPositions;
        var n = infos.Length;
        var glyphs = new ushort[n];
        var advances = new int[n];
        var ox = new int[n];
        var oy = new int[n];
        var clusters = new uint[n];
        int total = 0, missing = 0;
        for (var i = 0; i < n; i++)
        {
            glyphs[i] = (ushort)infos[i].Codepoint;
            if (glyphs[i] == 0) missing++;
            advances[i] = positions[i].XAdvance;
            ox[i] = positions[i].XOffset;
            oy[i] = positions[i].YOffset;
            clusters[i] = infos[i].Cluster;
            total += advances[i];
        }
        var shaped = new Shaped(glyphs, advances, ox, oy, clusters, total, missing);
        if (_shapes.Count > MaxShapes) _shapes.Clear();
        _shapes[(text, language)] = shaped;
        return shaped;
    }

    /// <summary>
    /// The subset for these code points (sorted) and these glyphs, made once and kept. Glyphs the cmap reaches from
    /// the code points do not change the key, so leaflets that differ only in such text share one subset.
    /// </summary>
    public SubsetFace SubsetFor(IReadOnlyList<int> codepoints, IReadOnlyCollection<ushort> glyphs)
    {
        var viaCmap = new HashSet<ushort>(codepoints.Select(GlyphOf));
        var extra = glyphs.Where(g => !viaCmap.Contains(g)).Order().ToList();
        var key = new StringBuilder(codepoints.Count * 2 + extra.Count * 2);
        foreach (var cp in codepoints) key.Append(char.ConvertFromUtf32(cp));
        key.Append('|');
        foreach (var g in extra) key.Append((char)g);
        var k = key.ToString();
        if (_subsets.Count > MaxSubsets && !_subsets.ContainsKey(k)) _subsets.Clear();
        return _subsets.GetOrAdd(k, _ => new Lazy<SubsetFace>(() =>
        {
            lock (_face) return new SubsetFace(this, HbSubset.Subset(_face, codepoints, extra));
        })).Value;
    }

    public override string ToString() => System.IO.Path.GetFileName(Path);
}

/// <summary>A subset font, at the whole font's glyph ids: the SkiaSharp typeface that is drawn and embedded.</summary>
internal sealed class SubsetFace
{
    private readonly ConcurrentDictionary<float, SKFont> _fonts = new();

    public SubsetFace(FontFile file, byte[] data)
    {
        File = file;
        Data = data;
        Typeface = SKTypeface.FromData(SKData.CreateCopy(data)) ?? throw new InvalidOperationException($"SkiaSharp could not load the subset of {file}.");
    }

    public FontFile File { get; }
    public byte[] Data { get; }
    public SKTypeface Typeface { get; }

    /// <summary>One SKFont per size, kept with the subset (SKFont is only read when drawing).</summary>
    public SKFont FontAt(float size) => _fonts.GetOrAdd(size, s => new SKFont(Typeface, s) { Subpixel = true, Hinting = SKFontHinting.None, LinearMetrics = true });
}

/// <summary>
/// Finds fonts through fontconfig (fc-match), once per family and style, with Debian's paths as a fallback.
/// Latin text is set in Noto Sans (DejaVu Sans where Noto is missing); Arabic script in Noto Naskh Arabic;
/// any other character in whatever font fontconfig offers for it.
/// </summary>
internal static class FontLibrary
{
    private static readonly ConcurrentDictionary<(string, bool, bool), FontFile?> Families = new();
    private static readonly ConcurrentDictionary<int, FontFile?> ByChar = new();

    private static readonly Dictionary<string, string> KnownPaths = new(StringComparer.Ordinal)
    {
        ["Noto Sans|R"] = "/usr/share/fonts/truetype/noto/NotoSans-Regular.ttf",
        ["Noto Sans|B"] = "/usr/share/fonts/truetype/noto/NotoSans-Bold.ttf",
        ["Noto Sans|I"] = "/usr/share/fonts/truetype/noto/NotoSans-Italic.ttf",
        ["Noto Sans|BI"] = "/usr/share/fonts/truetype/noto/NotoSans-BoldItalic.ttf",
        ["Noto Naskh Arabic|R"] = "/usr/share/fonts/truetype/noto/NotoNaskhArabic-Regular.ttf",
        ["Noto Naskh Arabic|B"] = "/usr/share/fonts/truetype/noto/NotoNaskhArabic-Bold.ttf",
        ["DejaVu Sans|R"] = "/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf",
        ["DejaVu Sans|B"] = "/usr/share/fonts/truetype/dejavu/DejaVuSans-Bold.ttf",
        ["DejaVu Sans|I"] = "/usr/share/fonts/truetype/dejavu/DejaVuSans-Oblique.ttf",
        ["DejaVu Sans|BI"] = "/usr/share/fonts/truetype/dejavu/DejaVuSans-BoldOblique.ttf",
    };

    private static readonly string[] LatinFamilies = ["Noto Sans", "DejaVu Sans"];
    private static readonly string[] ArabicFamilies = ["Noto Naskh Arabic"];

    private static readonly ConcurrentDictionary<(bool, bool, bool), IReadOnlyList<FontFile>> Chains = new();

    /// <summary>The fonts tried in order for text in this direction and style.</summary>
    public static IReadOnlyList<FontFile> Chain(bool rtl, bool bold, bool italic) => Chains.GetOrAdd((rtl, bold, italic), k => MakeChain(k.Item1, k.Item2, k.Item3));

    private static IReadOnlyList<FontFile> MakeChain(bool rtl, bool bold, bool italic)
    {
        var families = rtl ? ArabicFamilies.Concat(LatinFamilies) : LatinFamilies.Concat(ArabicFamilies);
        var chain = new List<FontFile>();
        foreach (var family in families)
        {
            var f = Family(family, bold, italic) ?? (italic ? Family(family, bold, false) : null) ?? (bold ? Family(family, false, false) : null);
            if (f is not null && !chain.Contains(f)) chain.Add(f);
        }
        if (chain.Count == 0) throw new InvalidOperationException("No font found: install fonts-noto-core or fonts-dejavu-core.");
        return chain;
    }

    /// <summary>A font for a character none of the chain's fonts has, as fontconfig suggests; null if there is none.</summary>
    public static FontFile? ForCharacter(int codepoint) => ByChar.GetOrAdd(codepoint, cp =>
    {
        var path = FcMatch($":charset={cp:x}", out var family);
        if (path is null) return null;
        var file = Load(path, family ?? path, false, false);
        return file is not null && file.Has(cp) ? file : null;
    });

    private static FontFile? Family(string family, bool bold, bool italic) => Families.GetOrAdd((family, bold, italic), key =>
    {
        var (name, b, i) = key;
        var pattern = $"{name}:weight={(b ? "bold" : "regular")}:slant={(i ? "italic" : "roman")}";
        var path = FcMatch(pattern, out var found);
        var style = (b ? "B" : "") + (i ? "I" : "");
        if (path is null || found is null || !found.Split(',').Any(f => f.Equals(name, StringComparison.OrdinalIgnoreCase))
            || !StyleMatches(path, b, i))
            KnownPaths.TryGetValue($"{name}|{(style == "" ? "R" : style)}", out path);
        return path is not null && File.Exists(path) ? Load(path, name, b, i) : null;
    });

    private static bool StyleMatches(string path, bool bold, bool italic)
    {
        var file = Path.GetFileNameWithoutExtension(path);
        var isBold = file.Contains("Bold", StringComparison.OrdinalIgnoreCase);
        var isItalic = file.Contains("Italic", StringComparison.OrdinalIgnoreCase) || file.Contains("Oblique", StringComparison.OrdinalIgnoreCase);
        return isBold == bold && isItalic == italic;
    }

    private static readonly ConcurrentDictionary<string, FontFile?> ByPath = new(StringComparer.Ordinal);

    private static FontFile? Load(string path, string family, bool bold, bool italic) =>
        ByPath.GetOrAdd(path, p => p.EndsWith(".ttf", StringComparison.OrdinalIgnoreCase) || p.EndsWith(".otf", StringComparison.OrdinalIgnoreCase)
            ? new FontFile(p, family, bold, italic) : null);

    private static string? FcMatch(string pattern, out string? family)
    {
        family = null;
        try
        {
            var psi = new ProcessStartInfo("fc-match", ["-f", "%{family}\t%{file}", pattern])
            {
                RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false,
            };
            using var p = Process.Start(psi);
            if (p is null) return null;
            var output = p.StandardOutput.ReadToEnd();
            p.WaitForExit(5000);
            var parts = output.Split('\t');
            if (parts.Length != 2 || !File.Exists(parts[1])) return null;
            family = parts[0];
            return parts[1];
        }
        catch (System.ComponentModel.Win32Exception)
        {
            return null; // fontconfig's tools are not installed: the known paths are used.
        }
    }
}
