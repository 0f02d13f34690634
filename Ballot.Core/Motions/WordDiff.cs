using System.Text.RegularExpressions;

namespace Ballot.Core.Motions;

/// <summary>
/// The difference an amendment makes, word by word: runs of text kept, deleted or inserted, so a page can show the
/// motion once with the deleted words struck through and the inserted ones marked. Whitespace belongs to the word it
/// follows, so the kept runs join back into the texts exactly.
/// </summary>
public static partial class WordDiff
{
    public enum Op { Keep, Delete, Insert }

    public sealed record Run(Op Op, string Text);

    /// <summary>A word (letters, digits, apostrophes) or one punctuation mark, each with the whitespace after it.</summary>
    [GeneratedRegex(@"[\p{L}\p{N}'’]+\s*|[^\s\p{L}\p{N}'’]\s*|\s+")]
    private static partial Regex Words();

    public static IReadOnlyList<Run> Compute(string before, string after)
    {
        var a = Words().Matches(before).Select(m => m.Value).ToArray();
        var b = Words().Matches(after).Select(m => m.Value).ToArray();
        // Words compare without their trailing space; common ends are trimmed first, so the table covers only the change.
        static string Key(string w) => w.TrimEnd();
        var start = 0;
        while (start < a.Length && start < b.Length && a[start] == b[start]) start++;
        int endA = a.Length, endB = b.Length;
        while (endA > start && endB > start && a[endA - 1] == b[endB - 1]) { endA--; endB--; }
        int n = endA - start, m = endB - start;
        var lcs = new int[n + 1, m + 1];
        for (var i = n - 1; i >= 0; i--)
        for (var j = m - 1; j >= 0; j--)
            lcs[i, j] = Key(a[start + i]) == Key(b[start + j]) ? lcs[i + 1, j + 1] + 1 : Math.Max(lcs[i + 1, j], lcs[i, j + 1]);

        var runs = new List<Run>();
        void Add(Op op, string text)
        {
            if (runs.Count > 0 && runs[^1].Op == op) runs[^1] = runs[^1] with { Text = runs[^1].Text + text };
            else runs.Add(new Run(op, text));
        }
        for (var k = 0; k < start; k++) Add(Op.Keep, a[k]);
        int x = 0, y = 0;
        while (x < n || y < m)
        {
            if (x < n && y < m && Key(a[start + x]) == Key(b[start + y]))
            {
                Add(Op.Keep, b[start + y]);
                x++; y++;
            }
            // Deleted words before inserted ones, as an amendment reads ("delete … and insert …").
            else if (x < n && (y == m || lcs[x + 1, y] >= lcs[x, y + 1])) Add(Op.Delete, a[start + x++]);
            else Add(Op.Insert, b[start + y++]);
        }
        for (var k = endB; k < b.Length; k++) Add(Op.Keep, b[k]);
        return runs;
    }

    /// <summary>
    /// What an amendment changes: a carried one against the text it rewrote; one not yet decided (or lost or
    /// withdrawn) against the motion as it stands, or null when its words are no longer there.
    /// </summary>
    public static IReadOnlyList<Run>? For(MotionView motion, AmendmentView amendment)
    {
        if (amendment.TextBefore is not null && amendment.TextAfter is not null) return Compute(amendment.TextBefore, amendment.TextAfter);
        try
        {
            var spec = new AmendmentSpec(amendment.Kind, amendment.Words, amendment.InsertWords, amendment.Place, amendment.Anchor, amendment.Occurrence);
            return Compute(motion.Text, AmendmentText.Apply(motion.Text, spec));
        }
        catch (AmendmentDoesNotApply)
        {
            return null;
        }
    }
}
