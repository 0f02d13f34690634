using System.Data.Common;
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

    private sealed class Row
    {
        public long MemberId { get; init; }
        public string? Email { get; init; }
        public string? EmailKind { get; init; }
        public string Employer { get; init; } = "";
    }

    /// <summary>Inside the opening transaction, after the electors are frozen: records who is sent paper only; returns how many, by reason.</summary>
    public static async Task<(long NoEmail, long WorkEmail)> RecordAsync(DbConnection conn, DbTransaction tx, long ballotId, string votingMethod)
    {
        if (votingMethod == "postal") return (0, 0);
        var work = await WorkEmail.LoadAsync(conn, tx);
        var rows = await conn.QueryAsync<Row>("""
            SELECT e.member_id AS MemberId, e.email AS Email, m.email_kind AS EmailKind, w.employer AS Employer
            FROM ballot_elector e JOIN member m ON m.id = e.member_id JOIN workplace w ON w.id = m.workplace_id
            WHERE e.ballot_id = @ballotId
            """, new { ballotId }, tx);
        var paperOnly = new List<(long MemberId, string Reason)>();
        foreach (var r in rows)
        {
            if (string.IsNullOrWhiteSpace(r.Email)) paperOnly.Add((r.MemberId, "no-email"));
            else if (work.IsWork(r.Email, r.EmailKind, r.Employer)) paperOnly.Add((r.MemberId, "work-email"));
        }
        await conn.ExecuteAsync("INSERT INTO ballot_paper_only (ballot_id, member_id, reason) VALUES (@ballotId, @MemberId, @Reason)",
            paperOnly.Select(p => new { ballotId, p.MemberId, p.Reason }), tx);
        return (paperOnly.LongCount(p => p.Reason == "no-email"), paperOnly.LongCount(p => p.Reason == "work-email"));
    }
}
