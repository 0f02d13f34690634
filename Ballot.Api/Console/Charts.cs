using System.Globalization;
using System.Text;
using System.Text.Encodings.Web;
using Microsoft.AspNetCore.Html;

namespace Ballot.Api.StaffConsole;

/// <summary>
/// Charts drawn on the server as SVG: no script, no charting service, nothing the security headers forbid (colours are
/// classes in console.css, not style attributes). Each chart is a <c>figure</c> holding the drawing (hidden from screen
/// readers) and a table of the same figures beside it, so the table is what assistive technology reads.
/// </summary>
public static class Charts
{
    /// <param name="Label">the x value or category, as people read it.</param>
    /// <param name="Value">what is drawn.</param>
    /// <param name="Display">the figure shown in the table (defaults to the value).</param>
    public sealed record Point(string Label, double Value, string? Display = null);

    /// <param name="Caption">the table's caption and the figure's title.</param>
    /// <param name="LabelHeader">the first column's header ("Hour", "Option").</param>
    /// <param name="ValueHeader">the second column's header ("Votes so far").</param>
    /// <param name="Max">the top of the scale (e.g. the electorate for turnout); the largest value if null.</param>
    public sealed record Data(string Caption, string LabelHeader, string ValueHeader, IReadOnlyList<Point> Points, double? Max = null);

    private const int W = 600, H = 240, Left = 56, Right = 12, Top = 12, Bottom = 40;

    /// <summary>A line over time (e.g. cumulative turnout per hour), points evenly spaced in order.</summary>
    public static IHtmlContent Line(Data d)
    {
        var max = Scale(d);
        var sb = Open(d);
        Axes(sb, max);
        if (d.Points.Count > 0)
        {
            var step = d.Points.Count == 1 ? 0 : (W - Left - Right) / (double)(d.Points.Count - 1);
            var pts = string.Join(' ', d.Points.Select((p, i) => $"{F(Left + i * step)},{F(Y(p.Value, max))}"));
            sb.Append($"<polyline class=\"chart-line\" fill=\"none\" points=\"{pts}\"/>");
            for (var i = 0; i < d.Points.Count; i++)
                sb.Append($"<circle class=\"chart-dot\" r=\"3\" cx=\"{F(Left + i * step)}\" cy=\"{F(Y(d.Points[i].Value, max))}\"/>");
            XLabel(sb, Left, d.Points[0].Label, "start");
            if (d.Points.Count > 1) XLabel(sb, W - Right, d.Points[^1].Label, "end");
        }
        return Close(sb, d);
    }

    /// <summary>Horizontal bars, one per point (e.g. votes per option), each labelled with its figure.</summary>
    public static IHtmlContent Bars(Data d)
    {
        var max = Scale(d);
        var n = Math.Max(1, d.Points.Count);
        var height = Top + Bottom / 2 + n * 36;
        var sb = new StringBuilder();
        sb.Append($"<figure class=\"chart\"><svg class=\"chart-svg\" viewBox=\"0 0 {W} {height}\" width=\"{W}\" height=\"{height}\" aria-hidden=\"true\" focusable=\"false\">");
        const int labelWidth = 160;
        for (var i = 0; i < d.Points.Count; i++)
        {
            var p = d.Points[i];
            var y = Top + i * 36;
            var w = max <= 0 ? 0 : (W - labelWidth - 80) * p.Value / max;
            sb.Append($"<text class=\"chart-text\" x=\"{labelWidth - 8}\" y=\"{y + 18}\" text-anchor=\"end\">{E(Trim(p.Label, 22))}</text>");
            sb.Append($"<rect class=\"chart-bar chart-bar-{i % 4}\" x=\"{labelWidth}\" y=\"{y + 4}\" width=\"{F(w)}\" height=\"22\"/>");
            sb.Append($"<text class=\"chart-text\" x=\"{F(labelWidth + w + 6)}\" y=\"{y + 20}\">{E(p.Display ?? Num(p.Value))}</text>");
        }
        return Close(sb, d);
    }

    private static double Scale(Data d) => d.Max ?? (d.Points.Count == 0 ? 1 : Math.Max(1, d.Points.Max(p => p.Value)));

    private static double Y(double v, double max) => Top + (H - Top - Bottom) * (1 - (max <= 0 ? 0 : Math.Min(v, max) / max));

    private static StringBuilder Open(Data d) =>
        new($"<figure class=\"chart\"><svg class=\"chart-svg\" viewBox=\"0 0 {W} {H}\" width=\"{W}\" height=\"{H}\" aria-hidden=\"true\" focusable=\"false\">");

    private static void Axes(StringBuilder sb, double max)
    {
        sb.Append($"<line class=\"chart-axis\" x1=\"{Left}\" y1=\"{Top}\" x2=\"{Left}\" y2=\"{H - Bottom}\"/>");
        sb.Append($"<line class=\"chart-axis\" x1=\"{Left}\" y1=\"{H - Bottom}\" x2=\"{W - Right}\" y2=\"{H - Bottom}\"/>");
        foreach (var f in new[] { 0, 0.5, 1 })
            sb.Append($"<text class=\"chart-text\" x=\"{Left - 6}\" y=\"{F(Y(max * f, max) + 4)}\" text-anchor=\"end\">{E(Num(max * f))}</text>");
    }

    private static void XLabel(StringBuilder sb, double x, string label, string anchor) =>
        sb.Append($"<text class=\"chart-text\" x=\"{F(x)}\" y=\"{H - Bottom + 18}\" text-anchor=\"{anchor}\">{E(label)}</text>");

    private static IHtmlContent Close(StringBuilder sb, Data d)
    {
        sb.Append("</svg>");
        sb.Append($"<table class=\"table chart-table\"><caption>{E(d.Caption)}</caption><thead><tr><th scope=\"col\">{E(d.LabelHeader)}</th><th scope=\"col\" class=\"numeric\">{E(d.ValueHeader)}</th></tr></thead><tbody>");
        foreach (var p in d.Points)
            sb.Append($"<tr><th scope=\"row\">{E(p.Label)}</th><td class=\"numeric\">{E(p.Display ?? Num(p.Value))}</td></tr>");
        sb.Append("</tbody></table></figure>");
        return new HtmlString(sb.ToString());
    }

    private static string Trim(string s, int n) => s.Length <= n ? s : s[..(n - 1)] + "…";
    private static string F(double v) => v.ToString("0.#", CultureInfo.InvariantCulture);
    private static string Num(double v) => v.ToString("#,0.##", CultureInfo.GetCultureInfo("en-GB"));
    private static string E(string s) => HtmlEncoder.Default.Encode(s);
}
