namespace Ballot.Core.Motions;

/// <summary>Who proposed, seconded or moved: a branch, a division, a member or the Executive, by name.</summary>
public sealed record Party(string Kind, string Name);

public sealed record ConferenceView(long Id, string Name, string Place, DateOnly StartsOn, DateOnly EndsOn, long Motions);

public sealed record VoteView(long Id, long? AmendmentId, string Method, long? For, long? Against, long? Abstain,
    bool TwoThirdsRequired, string Result, string? RecordedBy, DateTimeOffset RecordedAt);

public sealed record AmendmentView(long Id, int Number, Party Mover, string Kind, string Instruction, string? Words, string? InsertWords,
    string? Place, string? Anchor, int? Occurrence, string Status, string? TextBefore, string? TextAfter, VoteView? Vote,
    DateTimeOffset CreatedAt, DateTimeOffset? DecidedAt);

public sealed record TextVersionView(int Version, long? AmendmentId, int? AmendmentNumber, string Text, DateTimeOffset CreatedAt);

public sealed record StatusChangeView(string? From, string To, string? By, DateTimeOffset At);

public sealed record LinkView(string Kind, long Id, string? LinkedBy, DateTimeOffset LinkedAt);

public sealed record InstructionView(long Id, long MotionId, long ConferenceId, int MotionNumber, string MotionTitle, int Number, string Text,
    string? DueTerm, int? DueYear, DateOnly? DueOn, string? Assignee, string Progress, string? ProgressNote, string Status, bool Overdue,
    IReadOnlyList<LinkView> Links, DateTimeOffset UpdatedAt, string? UpdatedBy);

public sealed record MotionView(
    long Id, long ConferenceId, int Number, string Title, string OriginalText, string Text,
    Party? Proposer, Party? Seconder, string? Topic, bool NeedsTwoThirds, string Status, IReadOnlyList<string> AllowedTransitions,
    IReadOnlyList<AmendmentView> Amendments, VoteView? Decision, IReadOnlyList<TextVersionView> History,
    IReadOnlyList<StatusChangeView> StatusHistory,
    IReadOnlyList<ParsedInstruction> Instructions, IReadOnlyList<InstructionView> ActionItems,
    DateTimeOffset CreatedAt, DateTimeOffset UpdatedAt);

public sealed record MotionSummary(long Id, long ConferenceId, int Number, string Title, string? Topic, string Status, Party? Proposer);

internal sealed class ConferenceRow
{
    public long Id { get; init; }
    public string Name { get; init; } = "";
    public string Place { get; init; } = "";
    public string StartsOn { get; init; } = "";
    public string EndsOn { get; init; } = "";
    public long Motions { get; init; }

    public DateOnly Start => Dates.Parse(StartsOn)!.Value;

    public ConferenceView ToView() => new(Id, Name, Place, Dates.Parse(StartsOn)!.Value, Dates.Parse(EndsOn)!.Value, Motions);

    public const string Select = """
        SELECT c.id AS Id, c.name AS Name, c.place AS Place, c.starts_on AS StartsOn, c.ends_on AS EndsOn,
               (SELECT COUNT(*) FROM motion m WHERE m.conference_id = c.id) AS Motions
        FROM conference c
        """;
}

internal sealed class MotionRow
{
    public long Id { get; init; }
    public long ConferenceId { get; init; }
    public int Number { get; init; }
    public string Title { get; init; } = "";
    public string OriginalText { get; init; } = "";
    public string Text { get; init; } = "";
    public string? ProposerKind { get; init; }
    public string? ProposerName { get; init; }
    public string? SeconderKind { get; init; }
    public string? SeconderName { get; init; }
    public string? Topic { get; init; }
    public bool NeedsTwoThirds { get; init; }
    public string Status { get; init; } = "";
    public DateTimeOffset CreatedAt { get; init; }
    public DateTimeOffset UpdatedAt { get; init; }

    public Party? Proposer => ProposerKind is null ? null : new Party(ProposerKind, ProposerName ?? "");
    public Party? Seconder => SeconderKind is null ? null : new Party(SeconderKind, SeconderName ?? "");

    public const string Select = """
        SELECT m.id AS Id, m.conference_id AS ConferenceId, m.number AS Number, m.title AS Title,
               m.original_text AS OriginalText, m.text AS Text, m.proposer_kind AS ProposerKind, m.proposer_name AS ProposerName,
               m.seconder_kind AS SeconderKind, m.seconder_name AS SeconderName, m.topic AS Topic,
               m.needs_two_thirds AS NeedsTwoThirds, m.status AS Status, m.created_at AS CreatedAt, m.updated_at AS UpdatedAt
        FROM motion m
        """;
}

internal sealed class AmendmentRow
{
    public long Id { get; init; }
    public long MotionId { get; init; }
    public int Number { get; init; }
    public string MoverKind { get; init; } = "";
    public string MoverName { get; init; } = "";
    public string Kind { get; init; } = "";
    public string? Words { get; init; }
    public string? InsertWords { get; init; }
    public string? Place { get; init; }
    public string? Anchor { get; init; }
    public int? Occurrence { get; init; }
    public string Status { get; init; } = "";
    public string? TextBefore { get; init; }
    public string? TextAfter { get; init; }
    public DateTimeOffset CreatedAt { get; init; }
    public DateTimeOffset? DecidedAt { get; init; }

    public AmendmentSpec Spec => new(Kind, Words, InsertWords, Place, Anchor, Occurrence);

    public AmendmentView ToView(VoteView? vote) => new(Id, Number, new Party(MoverKind, MoverName), Kind, Spec.Describe(), Words, InsertWords,
        Place, Anchor, Occurrence, Status, TextBefore, TextAfter, vote, CreatedAt, DecidedAt);

    public const string Select = """
        SELECT a.id AS Id, a.motion_id AS MotionId, a.number AS Number, a.mover_kind AS MoverKind, a.mover_name AS MoverName,
               a.kind AS Kind, a.words AS Words, a.insert_words AS InsertWords, a.place AS Place, a.anchor AS Anchor,
               a.occurrence AS Occurrence, a.status AS Status, a.text_before AS TextBefore, a.text_after AS TextAfter,
               a.created_at AS CreatedAt, a.decided_at AS DecidedAt
        FROM amendment a
        """;
}

internal sealed class VoteRow
{
    public long Id { get; init; }
    public long? AmendmentId { get; init; }
    public string Method { get; init; } = "";
    public long? VotesFor { get; init; }
    public long? VotesAgainst { get; init; }
    public long? Abstentions { get; init; }
    public bool TwoThirds { get; init; }
    public string Result { get; init; } = "";
    public string? RecordedBy { get; init; }
    public DateTimeOffset RecordedAt { get; init; }

    public VoteView ToView() => new(Id, AmendmentId, Method, VotesFor, VotesAgainst, Abstentions, TwoThirds, Result, RecordedBy, RecordedAt);
}

internal sealed class InstructionRow
{
    public long Id { get; init; }
    public long MotionId { get; init; }
    public long ConferenceId { get; init; }
    public int MotionNumber { get; init; }
    public string MotionTitle { get; init; } = "";
    public int Number { get; init; }
    public string Text { get; init; } = "";
    public string? DueTerm { get; init; }
    public int? DueYear { get; init; }
    public string? DueOn { get; init; }
    public string? Assignee { get; init; }
    public string Progress { get; init; } = "";
    public string? ProgressNote { get; init; }
    public DateTimeOffset UpdatedAt { get; init; }
    public string? UpdatedBy { get; init; }

    public InstructionView ToView(DateOnly today, IReadOnlyList<LinkView> links)
    {
        var due = Dates.Parse(DueOn);
        var done = Progress == InstructionProgress.Done;
        return new(Id, MotionId, ConferenceId, MotionNumber, MotionTitle, Number, Text, DueTerm, DueYear, due, Assignee, Progress, ProgressNote,
            done ? "done" : "open", !done && due is { } d && d < today, links, UpdatedAt, UpdatedBy);
    }

    public const string Select = """
        SELECT i.id AS Id, i.motion_id AS MotionId, m.conference_id AS ConferenceId, m.number AS MotionNumber, m.title AS MotionTitle,
               i.number AS Number, i.text AS Text, i.due_term AS DueTerm, i.due_year AS DueYear, i.due_on AS DueOn,
               i.assignee AS Assignee, i.progress AS Progress, i.progress_note AS ProgressNote,
               i.updated_at AS UpdatedAt, i.updated_by AS UpdatedBy
        FROM instruction i JOIN motion m ON m.id = i.motion_id
        """;
}

internal sealed class LinkRow
{
    public long InstructionId { get; init; }
    public string Kind { get; init; } = "";
    public long TargetId { get; init; }
    public string? LinkedBy { get; init; }
    public DateTimeOffset LinkedAt { get; init; }

    public LinkView ToView() => new(Kind, TargetId, LinkedBy, LinkedAt);
}

public static class InstructionProgress
{
    public const string NotStarted = "not-started";
    public const string InProgress = "in-progress";
    public const string Done = "done";

    public static readonly string[] All = [NotStarted, InProgress, Done];
}

internal static class Dates
{
    public static string Text(DateOnly d) => d.ToString("yyyy-MM-dd", System.Globalization.CultureInfo.InvariantCulture);

    public static DateOnly? Parse(string? s) => s is null ? null : DateOnly.ParseExact(s, "yyyy-MM-dd", System.Globalization.CultureInfo.InvariantCulture);
}
