using System.Data.Common;
using Ballot.Core.Data;
using Ballot.Core.Members;
using Dapper;

namespace Ballot.Core.Ballots.Papers;

/// <summary>
/// Which electors' letters carry a voting link. A postal ballot's carry none (s.230: the paper is the only way to vote).
/// In an electronic or hybrid ballot, an elector with no email, or only a work email (the draft Code of Practice asks for
/// a personal one), gets no letter with a link: they are recorded in ballot_paper_only when the ballot opens and are
/// sent a voting paper, which in these ballots carries their link as a QR code and a short code.
/// </summary>
public static class PaperOnly
{
    /// <summary>A condition on ballot_elector e for the voting letter and reminders: only electors whose letter carries their link.</summary>
    public static string LinkFilter(string votingMethod) => votingMethod == "postal"
        ? " AND 1 = 0"
        : " AND NOT EXISTS (SELECT 1 FROM ballot_paper_only p WHERE p.ballot_id = e.ballot_id AND p.member_id = e.member_id)";

    /// <summary>An elector as the opening read them: enough to decide whether their letter can carry a link.</summary>
    public readonly record struct Elector(long MemberId, string? Email, string? EmailKind, string Employer);

    /// <summary>Inside the opening transaction, after the electors are frozen: records who is sent paper only; returns how many, by reason.</summary>
    /// The electors come from the opening's own read of the register, so 450,000 rows are not read a second time.
    public static async Task<(long NoEmail, long WorkEmail)> RecordAsync(DbConnection conn, Dialect dialect, DbTransaction tx, long ballotId,
        string votingMethod, IEnumerable<Elector> electors, CancellationToken ct)
    {
        if (votingMethod == "postal") return (0, 0);
        var work = await WorkEmail.LoadAsync(conn, tx);
        var paperOnly = new List<(long MemberId, string Reason)>();
        foreach (var e in electors)
        {
            if (string.IsNullOrWhiteSpace(e.Email)) paperOnly.Add((e.MemberId, "no-email"));
            else if (work.IsWork(e.Email, e.EmailKind, e.Employer)) paperOnly.Add((e.MemberId, "work-email"));
        }
        await dialect.InsertManyAsync(conn, tx, "ballot_paper_only", ["ballot_id", "member_id", "reason"], paperOnly, (p, row) =>
        {
            row.Write(ballotId);
            row.Write(p.MemberId);
            row.Write(p.Reason);
        }, ct);
        return (paperOnly.LongCount(p => p.Reason == "no-email"), paperOnly.LongCount(p => p.Reason == "work-email"));
    }
}
