using System.Data.Common;
using Dapper;

namespace Ballot.Core.Ballots;

/// <summary>One row of statutory_rule_set: the thresholds and periods of the law in force when a ballot opens.</summary>
public sealed class RuleSet
{
    public string Code { get; init; } = "";
    public string Name { get; init; } = "";
    public string AppliesFrom { get; init; } = "";
    public string? AppliesUntil { get; init; }
    public int? TurnoutPercent { get; init; }
    public int? PublicServiceYesPercent { get; init; }
    public int MandateMonths { get; init; }
    public int MandateExtensionMonths { get; init; }
    public int EmployerNoticeDays { get; init; }
    public int? SamplePaperDays { get; init; }
    public int ActionNoticeDays { get; init; }
    public int ScrutineerAbove { get; init; }
    public long RequiresDisputeSummary { get; init; }
    public long NoticeBreakdown { get; init; }

    /// <summary>s.226A(2) as the 2016 rules had it: numbers per category and per workplace, not only the total.</summary>
    public bool NoticeNumbersByCategoryAndWorkplace => NoticeBreakdown != 0;

    public bool DisputeSummaryRequired => RequiresDisputeSummary != 0;
    public string StatutoryStatement { get; init; } = "";

    private const string Select = """
        SELECT code, name, applies_from, applies_until, turnout_percent, public_service_yes_percent, mandate_months,
               mandate_extension_months, employer_notice_days, sample_paper_days, action_notice_days, scrutineer_above,
               requires_dispute_summary, statutory_statement, notice_numbers_by_category_and_workplace AS NoticeBreakdown
        FROM statutory_rule_set
        """;

    /// <summary>The rule set in force on the day (UTC) the ballot opens.</summary>
    public static async Task<RuleSet> ForOpeningAsync(DbConnection conn, DateTimeOffset opensAt, DbTransaction? tx = null)
    {
        var day = opensAt.UtcDateTime.ToString("yyyy-MM-dd");
        return await conn.QuerySingleOrDefaultAsync<RuleSet>(
                   Select + " WHERE applies_from <= @day AND (applies_until IS NULL OR applies_until > @day)", new { day }, tx)
               ?? throw Common.ValidationFailed.For("opensAt", $"No statutory rule set covers an industrial-action ballot opening on {day}.");
    }

    public static async Task<RuleSet?> ByCodeAsync(DbConnection conn, string? code, DbTransaction? tx = null) =>
        code is null ? null : await conn.QuerySingleOrDefaultAsync<RuleSet>(Select + " WHERE code = @code", new { code }, tx);

    /// <summary>s.226(2)(a)(iia): the number who voted is at least the percentage of those entitled (integers, no rounding).</summary>
    public bool? TurnoutMet(long entitled, long voted) =>
        TurnoutPercent is { } pct ? voted * 100 >= entitled * pct : null;

    /// <summary>s.226(2B): in important public services, Yes is at least the percentage of all those entitled.</summary>
    public bool? PublicServiceSupportMet(bool importantPublicService, long entitled, long yes) =>
        importantPublicService && PublicServiceYesPercent is { } pct ? yes * 100 >= entitled * pct : null;

    /// <summary>s.234: the mandate runs for the period beginning with the last day of voting; the last day it covers.</summary>
    public DateOnly MandateExpires(DateTimeOffset closedAt) =>
        DateOnly.FromDateTime(closedAt.UtcDateTime.Date).AddMonths(MandateMonths).AddDays(-1);
}
