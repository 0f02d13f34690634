using System.Collections;
using System.Text;
using SkiaSharp;

namespace Ballot.Core.Leaflets.Composition;

/// <summary>
/// Draws laid-out pages onto a canvas, a PDF page or a raster surface alike: placed lines and atoms' geometry, the
/// footer rule, imprint and page label. Lines are drawn in visual order (word-level bidi) as few text blobs as can be.
/// </summary>
internal sealed class PagePainter(TextShaper shaper, bool rtl, float pageWidth, float margin, float body)
{
    private float ContentWidth => pageWidth - 2 * margin;

    public void Paint(SKCanvas canvas, IReadOnlyList<Placed> page, Footer footer, Line label, float bottom)
    {
        foreach (var placed in page)
        {
            if (placed.Line is { } line) DrawLine(canvas, line, margin, placed.Y, ContentWidth);
            else if (placed.Item is AtomItem atom)
                foreach (var d in atom.Drawings) Draw(canvas, d.Moved(margin, placed.Y));
        }
        DrawFooter(canvas, footer, label, bottom);
    }

    private void Draw(SKCanvas canvas, Drawing drawing)
    {
        switch (drawing)
        {
            case LineDrawing l:
                DrawLine(canvas, l.Line, l.X, l.Y, l.Width, l.Centred);
                break;
            case ImageDrawing i:
            {
                using var paint = new SKPaint { IsAntialias = true };
                canvas.DrawImage(i.Image, SKRect.Create(i.X, i.Y, i.Width, i.Height), new SKSamplingOptions(SKFilterMode.Linear, SKMipmapMode.None), paint);
                break;
            }
            case QrDrawing q:
                DrawQr(canvas, q.Matrix, q.X, q.Y, q.Size);
                break;
            case RoundRectDrawing r:
            {
                using var fill = new SKPaint { Color = Sk(r.Fill), IsAntialias = true };
                canvas.DrawRoundRect(SKRect.Create(r.X, r.Y, r.Width, r.Height), r.Radius, r.Radius, fill);
                break;
            }
        }
    }

    private void DrawFooter(SKCanvas canvas, Footer footer, Line label, float bottom)
    {
        var top = bottom + body * 0.8f;
        using (var rule = new SKPaint { Color = Sk(Colour.Grey.Tint(0.6f)), StrokeWidth = 0.5f, IsAntialias = true })
            canvas.DrawLine(margin, top - body * 0.35f, pageWidth - margin, top - body * 0.35f, rule);
        var y = top;
        foreach (var line in footer.Imprint)
        {
            DrawLine(canvas, line, margin, y, ContentWidth);
            y += line.Height;
        }
        // The label sits at the end of the line: right in left-to-right text, left in right-to-left.
        var x = rtl ? margin : pageWidth - margin - label.Width;
        DrawLine(canvas, label, x, top, label.Width, centred: true);
    }

    private static void DrawQr(SKCanvas canvas, List<BitArray> matrix, float x, float y, float size)
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

    /// <summary>Draws a line with its top at y inside the box [left, left + width], aligned to the start side.</summary>
    private void DrawLine(SKCanvas canvas, Line line, float left, float y, float width, bool centred = false)
    {
        var baseline = y + line.Ascent;
        var x = centred ? left : rtl ? left + width - line.Indent - line.Width : left + line.Indent;
        var placed = new List<(Seg Seg, float X, float Space)>();
        if (line.Marker is { } marker)
        {
            var gap = body * 0.5f;
            var mx = rtl ? left + width - line.Indent + gap : left + line.Indent - gap - marker.Width;
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
        var baseDir = rtl ? 1 : -1;
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
        if (rtl) runs.Reverse();
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
        var subset = shaper.SubsetOf(face);
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
