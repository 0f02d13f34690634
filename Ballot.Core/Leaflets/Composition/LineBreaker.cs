using System.Globalization;
using System.Text;

namespace Ballot.Core.Leaflets.Composition;

internal sealed class Line
{
    public List<Word> Words { get; } = [];
    public float Indent { get; set; }
    public Word? Marker { get; set; }
    public float Height { get; set; }
    public float Ascent { get; set; }

    public float Width => Words.Sum(w => w.Width) + Words.Take(Words.Count - 1).Sum(w => w.SpaceWidth);
}

/// <summary>Breaks shaped words into lines at word boundaries by measured width, and gives each line its height.</summary>
internal sealed class LineBreaker(TextShaper shaper, float body)
{
    public List<Line> BreakLines(List<Word> words, float width, float indent = 0)
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
        foreach (var l in lines) Measure(l, words.Count > 0 ? words[0].Segs[0].Size : body);
        return lines;
    }

    public static void Measure(Line line, float fallbackSize)
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
                var w = shaper.Measure(seg, piece);
                if (used + w > width && (chunk.Length > 0 || current.Segs.Count > 0))
                {
                    if (chunk.Length > 0) current.Segs.Add(shaper.Reshape(seg, chunk.ToString()));
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
                var s = shaper.Reshape(seg, chunk.ToString());
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
}
