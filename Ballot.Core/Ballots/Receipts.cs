namespace Ballot.Core.Ballots;

/// <summary>
/// A member's receipt is their sealed paper's tracker (ADR 0903): SHA-256 over its ciphertexts, 64 lower-case hex digits,
/// shown in eight groups of eight. A member may check it by its start: at least the first 16 digits.
/// </summary>
public static class Receipts
{
    public const int Length = 64;
    public const int ShortestPrefix = 16;

    public static string Display(string tracker) =>
        tracker.Length == Length ? string.Join('-', Enumerable.Range(0, Length / 8).Select(i => tracker.Substring(i * 8, 8))) : tracker;

    /// <summary>Accepts what a member types: any case, with or without dashes or spaces. Null unless hex, 16 to 64 digits.</summary>
    public static string? Normalize(string? text)
    {
        var s = Digits(text);
        return s.Length is >= ShortestPrefix and <= Length && s.All(char.IsAsciiHexDigit) ? s : null;
    }

    /// <summary>The hex digits of what was typed, lower-cased, without separators.</summary>
    public static string Digits(string? text) =>
        new((text ?? "").Where(c => c is not ('-' or ' ')).Select(char.ToLowerInvariant).ToArray());
}
