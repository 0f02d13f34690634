using System.Data.Common;
using Ballot.Core.Common;
using Dapper;

namespace Ballot.Core.Ballots;

public sealed record RuleSetView(
    string Code, string Name, int? TurnoutPercent, int? PublicServiceYesPercent, int MandateMonths, int MandateExtensionMonths,
    int EmployerNoticeDays, int? SamplePaperDays, int ActionNoticeDays, int ScrutineerRequiredAbove, bool DisputeSummaryRequired,
    string StatutoryStatement)
{
    public static RuleSetView Of(RuleSet r) => new(r.Code, r.Name, r.TurnoutPercent, r.PublicServiceYesPercent, r.MandateMonths,
        r.MandateExtensionMonths, r.EmployerNoticeDays, r.SamplePaperDays, r.ActionNoticeDays, r.ScrutineerAbove, r.DisputeSummaryRequired,
        r.StatutoryStatement);
}

public sealed record BallotView(
    long Id, string Title, string Kind, string Status, string Counting, DateTimeOffset OpensAt, DateTimeOffset ClosesAt,
    RuleSetView? RuleSet, DateTimeOffset? EmployerNoticeBy, Electorate Electorate, IReadOnlyList<int> ReminderDaysBeforeClose,
    IndustrialAction? IndustrialAction, IReadOnlyList<Question> Questions, int? ElectorateSize, string? ElectorateHash,
    DateTimeOffset CreatedAt, DateTimeOffset? OpenedAt, DateTimeOffset? ClosedAt, DateTimeOffset? CertifiedAt,
    string VotingMethod = "electronic");

/// <summary>A ballot row as read by every use case.</summary>
public sealed class BallotRow
{
    public long Id { get; init; }
    public string Title { get; init; } = "";
    public string Kind { get; init; } = "";
    public string Status { get; init; } = "";
    public string Counting { get; init; } = "";
    public string VotingMethod { get; init; } = "";
    public DateTimeOffset OpensAt { get; init; }
    public DateTimeOffset ClosesAt { get; init; }
    public string? RuleSet { get; init; }
    public string Definition { get; init; } = "";
    public long? ElectorateSize { get; init; }
    public string? ElectorateHash { get; init; }
    public string? Result { get; init; }
    public string? ResultHash { get; init; }
    public long AuditSeq { get; init; }
    public DateTimeOffset CreatedAt { get; init; }
    public DateTimeOffset? OpenedAt { get; init; }
    public DateTimeOffset? ClosedAt { get; init; }
    public DateTimeOffset? CertifiedAt { get; init; }

    /// <summary>The counted result's JSON, kept in ballot_count (migration 0551).</summary>
    private const string ResultColumn = "(SELECT c.result FROM ballot_count c WHERE c.ballot_id = ballot.id) AS result, ";

    public const string Select = $"""
        SELECT id, title, kind, status, counting, voting_method, opens_at, closes_at, rule_set, definition, electorate_size, electorate_hash,
               {ResultColumn}result_hash, audit_seq, created_at, opened_at, closed_at, certified_at
        FROM ballot
        """;

    public bool IsIndustrialAction => Kind == "industrial-action";

    public BallotKind KindValue => IsIndustrialAction ? BallotKind.IndustrialAction : BallotKind.Consultative;

    public VotingMethod Method => Ballots.VotingMethods.Parse(VotingMethod);

    public StoredDefinition Def => _def ??= StoredDefinition.Parse(Definition);
    private StoredDefinition? _def;

    public static async Task<BallotRow> LoadAsync(DbConnection conn, long id, DbTransaction? tx = null) =>
        await conn.QuerySingleOrDefaultAsync<BallotRow>(Select + " WHERE id = @id", new { id }, tx)
        ?? throw new NotFound(NoSuchBallot(id));

    /// <summary>
    /// The row without its counted result (Result is null; ResultHash says whether there is one): the count of a
    /// 25,000-constituency ballot is 15 MB of JSON that pages showing a ballot do not need. CountedResults serves it.
    /// </summary>
    public static async Task<BallotRow> LoadWithoutResultAsync(DbConnection conn, long id) =>
        await conn.QuerySingleOrDefaultAsync<BallotRow>(Select.Replace(ResultColumn, "") + " WHERE id = @id", new { id })
        ?? throw new NotFound(NoSuchBallot(id));

    public static string NoSuchBallot(long id) => $"No ballot with id {id}.";

    /// <summary>Loads the row and holds it until the write transaction ends, so no other transition or edit interleaves.</summary>
    public static async Task<BallotRow> LoadLockedAsync(DbConnection conn, Data.Dialect dialect, long id, DbTransaction tx) =>
        await conn.QuerySingleOrDefaultAsync<BallotRow>(Select + " WHERE id = @id" + dialect.ForUpdate, new { id }, tx)
        ?? throw new NotFound($"No ballot with id {id}.");

    public async Task<BallotView> ToViewAsync(DbConnection conn, DbTransaction? tx = null)
    {
        var rules = await Ballots.RuleSet.ByCodeAsync(conn, RuleSet, tx);
        return new BallotView(Id, Title, Kind, Status, Counting, OpensAt, ClosesAt, rules is null ? null : RuleSetView.Of(rules),
            rules is null ? null : OpensAt.AddDays(-rules.EmployerNoticeDays), Def.Electorate, Def.ReminderDaysBeforeClose,
            Def.IndustrialAction, Def.Questions, (int?)ElectorateSize, ElectorateHash, CreatedAt, OpenedAt, ClosedAt, CertifiedAt, VotingMethod);
    }
}
