using Ballot.Core.Common;
using Ballot.Core.Data;
using Dapper;
using MediatR;

namespace Ballot.Core.Ballots.Notices;

/// <summary>
/// An industrial-action ballot's notices to employers: per employer of the electorate, its figures, each notice as last
/// given, letters still to be emailed, and what would keep the ballot from opening on its opening day.
/// </summary>
public static class GetNotices
{
    public sealed record Query(long BallotId) : IRequest<View>;

    public sealed record PendingLetter(long Id, string Kind, string Email, string State, string? LastError);

    public sealed record EmployerNotices(EmployerFigures Figures, NoticeGiven? BallotNotice, NoticeGiven? SamplePaper, NoticeGiven? ActionNotice,
        DateOnly? ActionMayStart, IReadOnlyList<PendingLetter> Letters);

    public sealed record View(long BallotId, string Title, string Status, string VotingMethod, string RuleSet, DateOnly OpeningDay,
        DateOnly NoticeBy, DateOnly? SampleBy, int ActionNoticeDays, bool Mandate, DateOnly? MandateExpires,
        IReadOnlyList<EmployerNotices> Employers, IReadOnlyList<string> Unmet)
    {
        /// <summary>Notices of the ballot and sample papers may be given while the ballot is a draft; notices of action once a mandate is certified.</summary>
        public bool BallotNoticesOpen => Status == "draft";
        public bool ActionNoticesOpen => Status == "certified" && Mandate;
    }

    private sealed class LetterRow
    {
        public long Id { get; init; }
        public string Employer { get; init; } = "";
        public string Kind { get; init; } = "";
        public string Email { get; init; } = "";
        public string State { get; init; } = "";
        public string? LastError { get; init; }
    }

    public sealed class Handler(Db db, TimeProvider clock) : IRequestHandler<Query, View>
    {
        public async Task<View> Handle(Query q, CancellationToken ct)
        {
            await using var conn = await db.OpenAsync(ct);
            var ballot = await BallotRow.LoadWithoutResultAsync(conn, q.BallotId);
            var rules = await RulesFor(conn, ballot, clock.GetUtcNow());
            var figures = await NoticeFigures.ForBallotAsync(conn, ballot);
            var given = await NoticeRules.GivenAsync(conn, ballot.Id);
            var letters = (await conn.QueryAsync<LetterRow>("""
                SELECT id, employer, kind, email, state, last_error AS LastError FROM employer_letter
                WHERE ballot_id = @Id AND state <> 'sent' ORDER BY id
                """, new { ballot.Id })).ToLookup(l => l.Employer, StringComparer.Ordinal);
            var openingDay = OpeningDay(ballot, clock.GetUtcNow());
            var (noticeBy, sampleBy) = NoticeRules.Deadlines(rules, openingDay);
            var result = await CountedResults.OfAsync(conn, ballot);
            var employers = figures.Select(f =>
            {
                var action = given.GetValueOrDefault((f.Employer, NoticeKinds.ActionNotice));
                return new EmployerNotices(f, given.GetValueOrDefault((f.Employer, NoticeKinds.BallotNotice)),
                    given.GetValueOrDefault((f.Employer, NoticeKinds.SamplePaper)), action,
                    action is null ? null : NoticeRules.ActionMayStart(rules, action.GivenAt),
                    letters[f.Employer].Select(l => new PendingLetter(l.Id, l.Kind, l.Email, l.State, l.LastError)).ToList());
            }).ToList();
            var unmet = ballot.Status == "draft" ? NoticeRules.Unmet(rules, openingDay, figures.Select(f => f.Employer), given) : [];
            return new View(ballot.Id, ballot.Title, ballot.Status, ballot.VotingMethod, rules.Name, openingDay, noticeBy, sampleBy,
                rules.ActionNoticeDays, result?.Mandate == true, result?.MandateExpires, employers, unmet);
        }
    }

    /// <summary>The day voting opens: the ballot's opening day, or today for a draft whose opening time has passed.</summary>
    public static DateOnly OpeningDay(BallotRow ballot, DateTimeOffset now) =>
        NoticeRules.Day(ballot.OpenedAt ?? (ballot.Status == "draft" && now > ballot.OpensAt ? now : ballot.OpensAt));

    /// <summary>The rule set the ballot runs under; refuses a ballot that is not for industrial action.</summary>
    public static async Task<RuleSet> RulesFor(System.Data.Common.DbConnection conn, BallotRow ballot, DateTimeOffset now, System.Data.Common.DbTransaction? tx = null)
    {
        if (!ballot.IsIndustrialAction) throw new Conflict("Only an industrial-action ballot has notices to employers (s.226A, s.234A).");
        return await RuleSet.ByCodeAsync(conn, ballot.RuleSet, tx)
               ?? await RuleSet.ForOpeningAsync(conn, ballot.Status == "draft" && now > ballot.OpensAt ? now : ballot.OpensAt, tx);
    }
}
