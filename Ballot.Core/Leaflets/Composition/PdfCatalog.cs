using System.Globalization;
using System.Text;
using System.Text.RegularExpressions;

namespace Ballot.Core.Leaflets.Composition;

/// <summary>
/// SkiaSharp's PDF writer has no document language, so /Lang is added to the catalog by an incremental update
/// (PDF 32000-1:2008, 7.5.6): the catalog object is written again after the original file, with a new xref section
/// and a trailer that points back to the old one. The original bytes are left as they are.
/// </summary>
internal static partial class PdfCatalog
{
    [GeneratedRegex(@"trailer\s*<<(?<dict>.*?)>>\s*startxref\s*(?<xref>\d+)\s*%%EOF\s*$", RegexOptions.Singleline)]
    private static partial Regex Trailer();

    [GeneratedRegex(@"/Root\s+(?<n>\d+)\s+0\s+R")]
    private static partial Regex Root();

    [GeneratedRegex(@"/Size\s+(?<n>\d+)")]
    private static partial Regex Size();

    [GeneratedRegex(@"/Info\s+(?<n>\d+)\s+0\s+R")]
    private static partial Regex Info();

    public static byte[] AddLanguage(byte[] pdf, string language)
    {
        if (!LanguageTag().IsMatch(language)) throw new ArgumentException($"'{language}' is not a language tag.", nameof(language));
        // Latin-1 keeps one char per byte, so string offsets are byte offsets.
        var text = Encoding.Latin1.GetString(pdf, Math.Max(0, pdf.Length - 1024), Math.Min(1024, pdf.Length));
        var trailer = Trailer().Match(text);
        if (!trailer.Success) throw new InvalidOperationException("The PDF has no classic trailer to update.");
        var dict = trailer.Groups["dict"].Value;
        var root = int.Parse(Root().Match(dict).Groups["n"].Value, CultureInfo.InvariantCulture);
        var size = int.Parse(Size().Match(dict).Groups["n"].Value, CultureInfo.InvariantCulture);
        var info = Info().Match(dict);
        var prev = trailer.Groups["xref"].Value;

        var whole = Encoding.Latin1.GetString(pdf);
        var start = whole.IndexOf($"\n{root} 0 obj", StringComparison.Ordinal);
        if (start < 0) throw new InvalidOperationException("The PDF's catalog was not found.");
        var bodyStart = whole.IndexOf("<<", start, StringComparison.Ordinal);
        var end = whole.IndexOf("endobj", bodyStart, StringComparison.Ordinal);
        var body = whole[(bodyStart + 2)..end].TrimEnd();
        if (!body.EndsWith(">>", StringComparison.Ordinal)) throw new InvalidOperationException("The PDF's catalog is not a plain dictionary.");

        var sb = new StringBuilder();
        var offset = pdf.Length + 1;
        sb.Append('\n');
        sb.Append(CultureInfo.InvariantCulture, $"{root} 0 obj\n<</Lang ({language})\n{body}\nendobj\n");
        var xref = pdf.Length + Encoding.Latin1.GetByteCount(sb.ToString());
        sb.Append(CultureInfo.InvariantCulture, $"xref\n{root} 1\n{offset:D10} 00000 n \n");
        sb.Append(CultureInfo.InvariantCulture, $"trailer\n<</Size {size}\n/Root {root} 0 R\n");
        if (info.Success) sb.Append(CultureInfo.InvariantCulture, $"/Info {info.Groups["n"].Value} 0 R\n");
        sb.Append(CultureInfo.InvariantCulture, $"/Prev {prev}>>\nstartxref\n{xref}\n%%EOF\n");
        var tail = Encoding.Latin1.GetBytes(sb.ToString());
        var result = new byte[pdf.Length + tail.Length];
        pdf.CopyTo(result, 0);
        tail.CopyTo(result, pdf.Length);
        return result;
    }

    [GeneratedRegex(@"^[A-Za-z]{2,3}(-[A-Za-z0-9]{2,8})*$")]
    private static partial Regex LanguageTag();
}
