using System.Text.Json;
using System.Text.Json.Serialization;
using Ballot.Core.Common;

namespace Ballot.Core.Ballots;

public enum BallotKind { IndustrialAction, Consultative }

public enum Counting { Aggregated, PerWorkplace }

/// <summary>Who is entitled to vote, as filters over the member register. Empty lists mean "any".</summary>
public sealed record Electorate(
    IReadOnlyList<string>? Regions = null, IReadOnlyList<string>? Employers = null, IReadOnlyList<long>? WorkplaceIds = null,
    IReadOnlyList<string>? Categories = null, bool ActiveOnly = true);

/// <summary>The voting paper content s.229 requires of an industrial-action ballot.</summary>
public sealed record IndustrialAction(
    bool Strike, bool ActionShortOfStrike, string? ScrutineerName, string? ScrutineerAddress, bool ImportantPublicService,
    string? WhoMayCallAction, string? MattersInIssue = null, string? ActionShortOfStrikeTypes = null, string? Periods = null);

public sealed record QuestionInput(string? Id, string? Text, IReadOnlyList<string>? Options);

/// <summary>A question as put on the voting paper; options are the values a voter may choose.</summary>
public sealed record Question(string Id, string Text, IReadOnlyList<string> Options);

/// <summary>What the executive writes while the ballot is a draft.</summary>
public sealed record BallotInput(
    string? Title, BallotKind? Kind, Counting? Counting, DateTimeOffset? OpensAt, DateTimeOffset? ClosesAt,
    Electorate? Electorate, IReadOnlyList<int>? ReminderDaysBeforeClose, IndustrialAction? IndustrialAction,
    IReadOnlyList<QuestionInput>? Questions, VotingMethod? VotingMethod = null)
{
    public void Validate(Problems p)
    {
        p.Required("title", Title, 200);
        if (Kind is null) p.Add("kind", "kind is required: industrial-action or consultative.");
        if (Counting is null) p.Add("counting", "counting is required: aggregated or per-workplace.");
        if (OpensAt is null) p.Add("opensAt", "opensAt is required.");
        if (ClosesAt is null) p.Add("closesAt", "closesAt is required.");
        if (OpensAt is { } o && ClosesAt is { } c && c <= o) p.Add("closesAt", "closesAt must be after opensAt.");
        if (Electorate is { } e)
        {
            void Entries(string name, IReadOnlyList<string>? values)
            {
                if (values is not null && values.Any(string.IsNullOrWhiteSpace))
                    p.Add($"electorate.{name}", $"electorate.{name} has an empty entry; leave the list out to mean any.");
            }
            Entries("regions", e.Regions);
            Entries("employers", e.Employers);
            Entries("categories", e.Categories);
        }
        foreach (var d in ReminderDaysBeforeClose ?? [])
            if (d is < 1 or > 60) p.Add("reminderDaysBeforeClose", "Each reminder is 1 to 60 days before close.");
        if (Kind == BallotKind.IndustrialAction)
        {
            if (Questions is { Count: > 0 }) p.Add("questions", "An industrial-action ballot's questions are fixed (strike, action short of a strike); give industrialAction instead.");
            if (IndustrialAction is not { } ia) { p.Add("industrialAction", "industrialAction is required for an industrial-action ballot."); return; }
            if (!ia.Strike && !ia.ActionShortOfStrike) p.Add("industrialAction", "Ask about strike, action short of a strike, or both.");
            p.Required("industrialAction.scrutineerName", ia.ScrutineerName, 200);
            p.Required("industrialAction.scrutineerAddress", ia.ScrutineerAddress, 500);
            p.Required("industrialAction.whoMayCallAction", ia.WhoMayCallAction, 500);
            p.MaxLength("industrialAction.mattersInIssue", ia.MattersInIssue, 4000)
             .MaxLength("industrialAction.actionShortOfStrikeTypes", ia.ActionShortOfStrikeTypes, 2000)
             .MaxLength("industrialAction.periods", ia.Periods, 2000);
        }
        else if (Kind == BallotKind.Consultative)
        {
            if (IndustrialAction is not null) p.Add("industrialAction", "Only an industrial-action ballot has industrialAction.");
            if (Questions is not { Count: > 0 }) { p.Add("questions", "A consultative ballot needs at least one question."); return; }
            var ids = new HashSet<string>();
            for (var i = 0; i < Questions.Count; i++)
            {
                if (Questions[i] is not { } q) { p.Add($"questions[{i}]", "A question is required, not null."); continue; }
                // Checked as stored: trimmed, so "Yes" and "Yes " or "spoiled " cannot slip past the checks below.
                var id = QuestionId(q, i);
                if (!System.Text.RegularExpressions.Regex.IsMatch(id, "^[a-z0-9][a-z0-9-]{0,39}$"))
                    p.Add($"questions[{i}].id", "A question id is 1-40 lowercase letters, digits or dashes.");
                if (!ids.Add(id)) p.Add($"questions[{i}].id", $"Question id '{id}' is used twice.");
                p.Required($"questions[{i}].text", q.Text, 1000);
                if (q.Options is not { Count: >= 2 } opts) p.Add($"questions[{i}].options", "A question needs at least two options.");
                else if (opts.Any(string.IsNullOrWhiteSpace)) p.Add($"questions[{i}].options", "Options are 1-200 characters.");
                else
                {
                    var trimmed = opts.Select(x => x.Trim()).ToList();
                    if (trimmed.Any(x => x.Length > 200)) p.Add($"questions[{i}].options", "Options are 1-200 characters.");
                    if (trimmed.Distinct(StringComparer.OrdinalIgnoreCase).Count() != trimmed.Count) p.Add($"questions[{i}].options", "Options must differ.");
                    if (trimmed.Any(x => string.Equals(x, Spoiled, StringComparison.OrdinalIgnoreCase))) p.Add($"questions[{i}].options", "'spoiled' is reserved.");
                }
            }
        }
    }

    public const string Spoiled = "spoiled";

    /// <summary>The questions on the paper: fixed Yes/No questions for industrial action (s.229(2)), else as given.</summary>
    public IReadOnlyList<Question> PaperQuestions()
    {
        if (Kind == BallotKind.IndustrialAction)
        {
            var list = new List<Question>();
            if (IndustrialAction!.Strike)
                list.Add(new Question("strike", "Are you prepared to take part in a strike?", ["Yes", "No"]));
            if (IndustrialAction.ActionShortOfStrike)
                list.Add(new Question("action-short-of-strike", "Are you prepared to take part in industrial action short of a strike?", ["Yes", "No"]));
            return list;
        }
        return Questions!.Select((q, i) => new Question(QuestionId(q, i), q.Text!.Trim(), q.Options!.Select(o => o.Trim()).ToList())).ToList();
    }

    private static string QuestionId(QuestionInput q, int i) => string.IsNullOrWhiteSpace(q.Id) ? $"q{i + 1}" : q.Id.Trim();
}

/// <summary>The JSON kept in ballot.definition.</summary>
public sealed record StoredDefinition(
    Electorate Electorate, IReadOnlyList<int> ReminderDaysBeforeClose, IndustrialAction? IndustrialAction, IReadOnlyList<Question> Questions)
{
    public static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web)
    {
        Converters = { new JsonStringEnumConverter(JsonNamingPolicy.KebabCaseLower) },
    };

    public string Serialize() => JsonSerializer.Serialize(this, Json);

    public static StoredDefinition Parse(string json) => JsonSerializer.Deserialize<StoredDefinition>(json, Json)!;

    public static StoredDefinition From(BallotInput input) => new(
        input.Electorate ?? new Electorate(), (input.ReminderDaysBeforeClose ?? []).Distinct().OrderDescending().ToList(),
        input.IndustrialAction, input.PaperQuestions());
}

public static class KindText
{
    public static string Of(BallotKind k) => k == BallotKind.IndustrialAction ? "industrial-action" : "consultative";
    public static string Of(Counting c) => c == Counting.Aggregated ? "aggregated" : "per-workplace";
}
