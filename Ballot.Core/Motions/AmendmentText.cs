namespace Ballot.Core.Motions;

/// <summary>
/// An amendment as conference writes it: delete words (optionally inserting others in their place), insert words
/// after or before stated words, add words at the end, or replace the whole text.
/// </summary>
public sealed record AmendmentSpec(string Kind, string? Words, string? InsertWords, string? Place, string? Anchor, int? Occurrence)
{
    public static readonly string[] Kinds = ["delete", "insert", "add", "replace"];

    /// <summary>How the amendment reads on the order paper, e.g. Delete "a" and insert "b".</summary>
    public string Describe() => Kind switch
    {
        "delete" when InsertWords is not null => $"Delete \"{Words}\"{Nth()} and insert \"{InsertWords}\".",
        "delete" => $"Delete \"{Words}\"{Nth()}.",
        "insert" => $"Insert \"{Words}\" {Place} \"{Anchor}\"{Nth()}.",
        "add" => $"Add at the end: \"{Words}\".",
        "replace" => "Delete all and replace with the text given.",
        _ => Kind,
    };

    private string Nth() => Occurrence is { } n ? $" (occurrence {n})" : "";
}

/// <summary>Thrown when an amendment's words or stated place are not in the text it would change.</summary>
public sealed class AmendmentDoesNotApply(string field, string message) : Exception(message)
{
    public string Field { get; } = field;
}

public static class AmendmentText
{
    /// <summary>The text with the amendment applied; the rest of the text is kept exactly as it was.</summary>
    public static string Apply(string text, AmendmentSpec a)
    {
        switch (a.Kind)
        {
            case "replace":
                return a.Words!;
            case "add":
                return Put(text, text.Length, a.Words!);
            case "delete":
            {
                var at = Find(text, a.Words!, a.Occurrence, "words", "The words to delete");
                var before = text[..at];
                var after = text[(at + a.Words!.Length)..];
                if (a.InsertWords is not null) return before + a.InsertWords + after;
                // Deleting words between two spaces leaves one space, not two; before punctuation, none.
                if (before.EndsWith(' ') && (after.StartsWith(' ') || (after.Length > 0 && IsClosingPunctuation(after[0]))))
                    before = before[..^1];
                return before + after;
            }
            case "insert":
            {
                var at = Find(text, a.Anchor!, a.Occurrence, "anchor", $"The words to insert {a.Place}");
                return Put(text, a.Place == "after" ? at + a.Anchor!.Length : at, a.Words!);
            }
            default:
                throw new ArgumentOutOfRangeException(nameof(a), a.Kind, "unknown amendment kind");
        }
    }

    /// <summary>Puts words at a position, adding one space where they would otherwise run into a neighbouring word.</summary>
    private static string Put(string text, int pos, string words)
    {
        var left = pos > 0 && !char.IsWhiteSpace(text[pos - 1]) && !char.IsWhiteSpace(words[0]) && !IsClosingPunctuation(words[0]);
        var right = pos < text.Length && !char.IsWhiteSpace(text[pos]) && !IsClosingPunctuation(text[pos]) && !char.IsWhiteSpace(words[^1]);
        return text[..pos] + (left ? " " : "") + words + (right ? " " : "") + text[pos..];
    }

    private static bool IsClosingPunctuation(char c) => c is ',' or '.' or ';' or ':' or '!' or '?' or ')' or '\'' or '"';

    private static int Find(string text, string words, int? occurrence, string field, string what)
    {
        var positions = new List<int>();
        for (var i = text.IndexOf(words, StringComparison.Ordinal); i >= 0; i = text.IndexOf(words, i + 1, StringComparison.Ordinal))
            positions.Add(i);
        if (positions.Count == 0)
            throw new AmendmentDoesNotApply(field, $"{what}, \"{words}\", are not in the motion's text (the match is exact, including case and punctuation).");
        if (occurrence is null && positions.Count > 1)
            throw new AmendmentDoesNotApply(field, $"{what}, \"{words}\", appear {positions.Count} times in the motion's text: say which with occurrence (1 to {positions.Count}), or quote more words.");
        var n = occurrence ?? 1;
        if (n < 1 || n > positions.Count)
            throw new AmendmentDoesNotApply("occurrence", $"{what}, \"{words}\", appear {positions.Count} time{(positions.Count == 1 ? "" : "s")}; occurrence {n} does not exist.");
        return positions[n - 1];
    }
}
