using System.Globalization;
using System.Text.RegularExpressions;

namespace Ballot.Core.Motions;

/// <summary>What a motion instructs the Executive to do, as read from its text.</summary>
public sealed record ParsedInstruction(int Number, string Text, string? DueTerm, int? DueYear, DateOnly? DueOn);

/// <summary>
/// Reads "Conference therefore instructs the Executive to: 1. … 2. …" into numbered instructions, and each
/// instruction's due term from phrases like "in the Summer Term 2001" or "in the autumn term 2001".
/// </summary>
public static partial class InstructionParser
{
    [GeneratedRegex(@"\b(?:instructs?|calls\s+(?:up)?on)\s+(?:the\s+)?(?:National\s+)?Executive(?:\s+Committee)?\s+to\b\s*:?", RegexOptions.IgnoreCase)]
    private static partial Regex Lead();

    /// <summary>"1." "2)" "(3)" "a)" "(b)" at the start of a line.</summary>
    [GeneratedRegex(@"^[ \t]*(?:\(?[0-9]{1,2}[.)]|\(?[a-z]\))[ \t]+", RegexOptions.Multiline | RegexOptions.IgnoreCase)]
    private static partial Regex Item();

    [GeneratedRegex(@"\r?\n[ \t]*\r?\n")]
    private static partial Regex BlankLine();

    [GeneratedRegex(@"\b(spring|summer|autumn)\s+term(?:\s+(?:of\s+)?([0-9]{4})\b)?|\b([0-9]{4})\s+(spring|summer|autumn)\s+term\b|\b(spring|summer|autumn)\s+(?:of\s+)?([0-9]{4})\b", RegexOptions.IgnoreCase)]
    private static partial Regex Term();

    public static IReadOnlyList<ParsedInstruction> Parse(string text, DateOnly conferenceStart, TermCalendar calendar)
    {
        var found = new List<ParsedInstruction>();
        foreach (Match lead in Lead().Matches(text))
        {
            var rest = text[(lead.Index + lead.Length)..];
            var items = Item().Matches(rest);
            // Items must start right after the lead (only blank space between), or it is a single instruction.
            if (items.Count == 0 || rest[..items[0].Index].Trim().Length > 0)
            {
                var single = FirstParagraph(rest).Trim();
                if (single.Length > 0) found.Add(Make(found.Count + 1, single, conferenceStart, calendar));
                continue;
            }
            for (var i = 0; i < items.Count; i++)
            {
                var start = items[i].Index + items[i].Length;
                var end = i + 1 < items.Count ? items[i + 1].Index : rest.Length;
                var body = rest[start..end];
                // A paragraph after a blank line ends the list: it is the motion going on, not this instruction.
                var blank = BlankLine().Match(body);
                var listEnds = blank.Success && body[(blank.Index + blank.Length)..].Trim().Length > 0;
                if (listEnds) body = body[..blank.Index];
                var t = body.Trim();
                if (t.Length > 0) found.Add(Make(found.Count + 1, t, conferenceStart, calendar));
                if (listEnds) break;
            }
        }
        return found;
    }

    private static string FirstParagraph(string s)
    {
        var blank = BlankLine().Match(s.TrimStart());
        var t = s.TrimStart();
        return blank.Success ? t[..blank.Index] : t;
    }

    private static ParsedInstruction Make(int number, string text, DateOnly conferenceStart, TermCalendar calendar)
    {
        var (term, year) = FindTerm(text, conferenceStart, calendar);
        return new ParsedInstruction(number, text, term, year, term is null ? null : calendar.EndOf(term, year!.Value));
    }

    /// <summary>
    /// The first term named in the text. With no year, the first such term that ends at least 30 days after the conference
    /// opens: at an Easter conference "the spring term" is next year's, "the summer term" this year's.
    /// </summary>
    public static (string? Term, int? Year) FindTerm(string text, DateOnly conferenceStart, TermCalendar calendar)
    {
        var m = Term().Match(text);
        if (!m.Success) return (null, null);
        string term;
        string? yearText;
        if (m.Groups[1].Success) { term = m.Groups[1].Value; yearText = m.Groups[2].Success ? m.Groups[2].Value : null; }
        else if (m.Groups[3].Success) { term = m.Groups[4].Value; yearText = m.Groups[3].Value; }
        else { term = m.Groups[5].Value; yearText = m.Groups[6].Value; }
        term = term.ToLowerInvariant();
        if (yearText is not null)
        {
            // "the autumn term 0000" is a typo, not a date: leave the due date for the executive to set.
            var named = int.Parse(yearText, CultureInfo.InvariantCulture);
            return named is >= 1900 and <= 2200 ? (term, named) : (null, null);
        }
        var year = conferenceStart.Year;
        if (calendar.EndOf(term, year) < conferenceStart.AddDays(30)) year++;
        return (term, year);
    }
}

/// <summary>A motion pasted as plain text: the title line, then the motion text exactly as it follows.</summary>
public static class MotionText
{
    public sealed record Split(string Title, string Text);

    public static Split Read(string body)
    {
        var pos = 0;
        // Skip blank lines before the title.
        while (pos < body.Length)
        {
            var nl = body.IndexOf('\n', pos);
            var line = nl < 0 ? body[pos..] : body[pos..nl];
            if (line.Trim().Length > 0) break;
            if (nl < 0) { pos = body.Length; break; }
            pos = nl + 1;
        }
        if (pos >= body.Length) throw new Common.ValidationFailed(new Dictionary<string, string[]> { ["body"] = ["The text is empty: send the title line, a blank line, then the motion."] });
        var titleEnd = body.IndexOf('\n', pos);
        var title = (titleEnd < 0 ? body[pos..] : body[pos..titleEnd]).Trim();
        if (titleEnd < 0) throw new Common.ValidationFailed(new Dictionary<string, string[]> { ["body"] = ["Only a title line was sent: the motion text must follow it."] });
        // The text starts at the first line after the title that is not blank, and runs to the end, untouched.
        var start = titleEnd + 1;
        while (start < body.Length)
        {
            var nl = body.IndexOf('\n', start);
            var line = nl < 0 ? body[start..] : body[start..nl];
            if (line.Trim().Length > 0) break;
            if (nl < 0) { start = body.Length; break; }
            start = nl + 1;
        }
        var text = body[start..];
        if (text.Trim().Length == 0) throw new Common.ValidationFailed(new Dictionary<string, string[]> { ["body"] = ["Only a title line was sent: the motion text must follow it."] });
        return new Split(title, text);
    }
}
