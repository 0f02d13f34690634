namespace Ballot.Core.Motions;

/// <summary>A motion's life at conference, and the changes of status that make sense.</summary>
public static class MotionStatus
{
    public const string Submitted = "submitted";
    public const string Prioritised = "prioritised";
    public const string Debated = "debated";
    public const string Carried = "carried";
    public const string Lost = "lost";
    public const string Remitted = "remitted";
    public const string Withdrawn = "withdrawn";

    public static readonly string[] All = [Submitted, Prioritised, Debated, Carried, Lost, Remitted, Withdrawn];

    /// <summary>
    /// Carried and lost are reached only by recording the vote (<see cref="RecordVote"/>); remitted and withdrawn
    /// are decisions taken without one. A decided motion does not change again.
    /// </summary>
    private static readonly Dictionary<string, string[]> Next = new()
    {
        [Submitted] = [Prioritised, Debated, Withdrawn],
        [Prioritised] = [Debated, Withdrawn],
        [Debated] = [Carried, Lost, Remitted, Withdrawn],
        [Carried] = [],
        [Lost] = [],
        [Remitted] = [],
        [Withdrawn] = [],
    };

    public static IReadOnlyList<string> AllowedFrom(string status) => Next.TryGetValue(status, out var n) ? n : [];

    public static bool IsDecided(string status) => AllowedFrom(status).Count == 0;

    /// <summary>While a motion can still be amended: until conference decides it.</summary>
    public static bool TakesAmendments(string status) => status is Submitted or Prioritised or Debated;

    public static string Describe(string from)
    {
        var next = AllowedFrom(from);
        return next.Count == 0
            ? $"A motion that is '{from}' has been decided and cannot change status."
            : $"A motion that is '{from}' can become: {string.Join(", ", next)}.";
    }
}

public static class AmendmentStatus
{
    public const string Submitted = "submitted";
    public const string Carried = "carried";
    public const string Lost = "lost";
    public const string Withdrawn = "withdrawn";
}

public static class Parties
{
    public static readonly string[] Kinds = ["branch", "division", "member", "executive"];
}
