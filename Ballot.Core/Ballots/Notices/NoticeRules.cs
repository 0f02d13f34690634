using System.Data.Common;
using Dapper;

namespace Ballot.Core.Ballots.Notices;

public static class NoticeKinds
{
    public const string BallotNotice = "ballot-notice";
    public const string SamplePaper = "sample-paper";
    public const string ActionNotice = "action-notice";
    public static readonly string[] All = [BallotNotice, SamplePaper, ActionNotice];

    public static string Describe(string kind) => kind switch
    {
        BallotNotice => "notice of the ballot (s.226A)",
        SamplePaper => "sample voting paper (s.226A)",
        _ => "notice of industrial action (s.234A)",
    };
}

/// <summary>A notice as given: when, how (marked by the executive or emailed by the worker), to which address, by whom.</summary>
public sealed record NoticeGiven(DateTimeOffset GivenAt, string How, string? Email, string RecordedBy);

/// <summary>
/// The s.226A timing: every employer of the electorate has its notice of the ballot by the rule set's employer_notice_days
/// and its sample paper by sample_paper_days before the opening day (UTC dates, as the rule set is chosen). The last
/// notice given of each kind is the one that counts.
/// </summary>
public static class NoticeRules
{
    private sealed class GivenRow
    {
        public string Employer { get; init; } = "";
        public string Kind { get; init; } = "";
        public DateTimeOffset GivenAt { get; init; }
        public string How { get; init; } = "";
        public string? Email { get; init; }
        public string RecordedBy { get; init; } = "";
    }

    /// <summary>The last notice of each kind given to each employer of the ballot.</summary>
    public static async Task<Dictionary<(string Employer, string Kind), NoticeGiven>> GivenAsync(DbConnection conn, long ballotId, DbTransaction? tx = null)
    {
        var rows = await conn.QueryAsync<GivenRow>("""
            SELECT employer, kind, given_at AS GivenAt, how, email, recorded_by AS RecordedBy
            FROM ballot_employer_notice WHERE ballot_id = @ballotId ORDER BY given_at, id
            """, new { ballotId }, tx);
        var last = new Dictionary<(string, string), NoticeGiven>();
        foreach (var r in rows) last[(r.Employer, r.Kind)] = new NoticeGiven(r.GivenAt, r.How, r.Email, r.RecordedBy);
        return last;
    }

    public static DateOnly Day(DateTimeOffset t) => DateOnly.FromDateTime(t.UtcDateTime.Date);

    /// <summary>The last day each notice may be given for a ballot opening on <paramref name="openingDay"/>.</summary>
    public static (DateOnly NoticeBy, DateOnly? SampleBy) Deadlines(RuleSet rules, DateOnly openingDay) =>
        (openingDay.AddDays(-rules.EmployerNoticeDays), rules.SamplePaperDays is { } s ? openingDay.AddDays(-s) : null);

    /// <summary>What keeps the ballot from opening on <paramref name="openingDay"/>, one sentence per employer and notice; empty when nothing does.</summary>
    public static IReadOnlyList<string> Unmet(RuleSet rules, DateOnly openingDay, IEnumerable<string> employers,
        IReadOnlyDictionary<(string Employer, string Kind), NoticeGiven> given)
    {
        var (noticeBy, sampleBy) = Deadlines(rules, openingDay);
        var problems = new List<string>();
        foreach (var employer in employers.Distinct(StringComparer.Ordinal).Order(StringComparer.Ordinal))
        {
            void Check(string kind, DateOnly by, int days)
            {
                var g = given.GetValueOrDefault((employer, kind));
                if (g is null)
                    problems.Add($"{employer}: the {NoticeKinds.Describe(kind)} has not been given; it must be given by {by:yyyy-MM-dd}, {days} days before the opening day {openingDay:yyyy-MM-dd}.");
                else if (Day(g.GivenAt) > by)
                    problems.Add($"{employer}: the {NoticeKinds.Describe(kind)} was given on {Day(g.GivenAt):yyyy-MM-dd}; it must be given by {by:yyyy-MM-dd}, {days} days before the opening day {openingDay:yyyy-MM-dd}.");
            }
            Check(NoticeKinds.BallotNotice, noticeBy, rules.EmployerNoticeDays);
            if (sampleBy is { } s) Check(NoticeKinds.SamplePaper, s, rules.SamplePaperDays!.Value);
        }
        return problems;
    }

    /// <summary>s.234A: action may start on the day the notice was given plus the rule set's action_notice_days.</summary>
    public static DateOnly ActionMayStart(RuleSet rules, DateTimeOffset givenAt) => Day(givenAt).AddDays(rules.ActionNoticeDays);
}
