using System.Diagnostics;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using UglyToad.PdfPig;

namespace Ballot.Tests.Leaflets;

/// <summary>Campaign content for tests, and helpers that read leaflets back.</summary>
public static partial class LeafletContent
{
    public static readonly string[] Sections =
    [
        "Performance pay sets colleague against colleague. Teachers do their best work together. Children learn best in schools where staff share what works.",
        "Objectives should be negotiated, not dictated. Members were asked to sign within twenty four hours. Nobody should sign objectives they have not agreed.",
        "Pay progression must not depend on targets met only in part. Schools need stable funding to plan. Governors carry the duty to set a fair budget.",
    ];

    public static JsonObject Parents(string language = "en") => new()
    {
        ["audience"] = "parents",
        ["language"] = language,
        ["headline"] = "Fund our schools **properly**",
        ["introduction"] = "Your child's teachers are asking for your support. This leaflet explains *why* schools must be funded adequately.",
        ["sections"] = new JsonArray(Sections.Select((body, i) => (JsonNode)new JsonObject
        {
            ["heading"] = $"Argument {i + 1}",
            ["body"] = string.Join(" ", Enumerable.Repeat(body, 3)) + "\n\n- Ask at the school gate.\n- Talk to other parents.",
        }).ToArray()),
        ["demands"] = new JsonArray("Fund every school adequately.", "Scrap performance related pay.", "Negotiate objectives with staff."),
        ["callToAction"] = "**Write to your MP today.** Ask them to support adequate funding for every school.",
    };

    /// <summary>Every sentence a reader should find, in order.</summary>
    public static IEnumerable<string> ExpectedSentences()
    {
        yield return "Fund our schools properly";
        yield return "Your child's teachers are asking for your support.";
        yield return "This leaflet explains why schools must be funded adequately.";
        foreach (var (body, i) in Sections.Select((b, i) => (b, i)))
        {
            yield return $"Argument {i + 1}";
            foreach (var _ in Enumerable.Range(0, 3))
            foreach (var sentence in SentenceSplit().Split(body)) yield return sentence;
            yield return "Ask at the school gate.";
            yield return "Talk to other parents.";
        }
        yield return "Fund every school adequately.";
        yield return "Scrap performance related pay.";
        yield return "Negotiate objectives with staff.";
        yield return "Write to your MP today.";
        yield return "Ask them to support adequate funding for every school.";
    }

    [GeneratedRegex(@"(?<=\.) ")]
    private static partial Regex SentenceSplit();

    /// <summary>The words of every page in order, joined by single spaces.</summary>
    public static string Words(byte[] pdf)
    {
        using var doc = PdfDocument.Open(pdf);
        return string.Join(" ", doc.GetPages().SelectMany(p => p.GetWords()).Select(w => w.Text));
    }

    /// <summary>Asserts each expected sentence occurs after the one before it.</summary>
    public static void AssertInOrder(string text, IEnumerable<string> sentences)
    {
        var at = 0;
        foreach (var sentence in sentences)
        {
            var normal = Regex.Replace(sentence, @"\s+", " ");
            var found = text.IndexOf(normal, at, StringComparison.Ordinal);
            Assert.That(found, Is.GreaterThanOrEqualTo(0), $"'{normal}' not found after position {at} in: {text[Math.Max(0, at - 80)..Math.Min(text.Length, at + 200)]}");
            at = found + normal.Length;
        }
    }

    public static string Run(string file, params string[] args)
    {
        var psi = new ProcessStartInfo(file, args) { RedirectStandardOutput = true, RedirectStandardError = true };
        using var p = Process.Start(psi)!;
        var output = p.StandardOutput.ReadToEnd();
        p.WaitForExit();
        Assert.That(p.ExitCode, Is.Zero, p.StandardError.ReadToEnd());
        return output;
    }

    /// <summary>pdftotext's reading of the PDF (poppler), which also reads Skia's ActualText for joined scripts.</summary>
    public static string PdfToText(byte[] pdf)
    {
        var path = Path.Combine(Path.GetTempPath(), $"leaflet-{Guid.NewGuid():N}.pdf");
        File.WriteAllBytes(path, pdf);
        try { return Run("pdftotext", "-enc", "UTF-8", path, "-"); }
        finally { File.Delete(path); }
    }

    public static string PdfFonts(byte[] pdf)
    {
        var path = Path.Combine(Path.GetTempPath(), $"leaflet-{Guid.NewGuid():N}.pdf");
        File.WriteAllBytes(path, pdf);
        try { return Run("pdffonts", path); }
        finally { File.Delete(path); }
    }
}
