using Ballot.Core.Data;
using Ballot.Core.Mail;
using Ballot.Core.Staff;
using Dapper;
using MediatR;

namespace Ballot.Core.Home;

/// <summary>
/// What needs attention now, for the console's home page: open ballots (turnout for those who may see it), mailings
/// sending, drafts awaiting an executive's approval, and failures. Each list holds only what the role may see through
/// the JSON API. Overdue instructions come from <see cref="Motions.ListInstructions"/>.
/// </summary>
public static class GetHome
{
    public sealed record Query(string Role) : IRequest<View>;

    public sealed record View(IReadOnlyList<OpenBallot> OpenBallots, IReadOnlyList<MailingProgress> Sending,
        IReadOnlyList<MailingProgress> AwaitingApproval, IReadOnlyList<MailingProgress> FailedLetters, IReadOnlyList<FailedJob> FailedJobs,
        DateTimeOffset Now, IReadOnlyList<ExpiringMandate>? ExpiringMandates = null);

    public sealed record ExpiringMandate(long Id, string Title, DateOnly Expires, int DaysLeft);

    /// <summary>Mandates from certified industrial-action ballots that end within 30 days (s.234): a new ballot takes weeks of notice.</summary>
    public static async Task<IReadOnlyList<ExpiringMandate>> ExpiringMandatesAsync(System.Data.Common.DbConnection conn, DateTimeOffset now)
    {
        var today = DateOnly.FromDateTime(now.UtcDateTime.Date);
        var list = new List<ExpiringMandate>();
        foreach (var (id, title, hash) in (await conn.QueryAsync<(long, string, string)>(
                     "SELECT id, title, result_hash FROM ballot WHERE status = 'certified' AND kind = 'industrial-action' AND result_hash IS NOT NULL ORDER BY id")).AsList())
        {
            // Parsed once per process (ADR 0550), not per visit to the home page.
            var r = await Ballots.CountedResults.GetAsync(conn, id, hash);
            if (r.Mandate == true && r.MandateExpires is { } exp && exp >= today && exp <= today.AddDays(30))
                list.Add(new ExpiringMandate(id, title, exp, exp.DayNumber - today.DayNumber));
        }
        return list.OrderBy(m => m.Expires).ToList();
    }


    public sealed class OpenBallot
    {
        public long Id { get; init; }
        public string Title { get; init; } = "";
        public DateTimeOffset ClosesAt { get; init; }
        public long Entitled { get; init; }
        /// <summary>Null for a role that may not see turnout (organisers).</summary>
        public long? Voted { get; set; }
        public decimal? Percent => Voted is { } v && Entitled > 0 ? Math.Round(100m * v / Entitled, 1) : null;
    }

    public sealed class MailingProgress
    {
        public long Id { get; init; }
        public string Subject { get; init; } = "";
        public string Status { get; init; } = "";
        public long Recipients { get; set; }
        public long Sent { get; set; }
        public long Failed { get; set; }
        public DateTimeOffset UpdatedAt { get; init; }
        /// <summary>The subject as people read it: ballot letters wrap their title in Liquid's raw tags (Ballots/Letters.cs).</summary>
        public string Title => Subject.Replace("{% raw %}", "").Replace("{% endraw %}", "");
        public int PercentDone => Recipients == 0 ? 0 : (int)Math.Min(100, 100 * (Sent + Failed) / Recipients);
    }

    public sealed class FailedJob
    {
        public long Id { get; init; }
        public string Kind { get; init; } = "";
        public string Description { get; init; } = "";
        public string? Error { get; init; }
        public DateTimeOffset At { get; init; }
    }

    public sealed class Handler(Db db, TimeProvider clock) : IRequestHandler<Query, View>
    {
        public async Task<View> Handle(Query q, CancellationToken ct)
        {
            var now = clock.GetUtcNow();
            var mail = q.Role is Roles.Executive or Roles.Organiser;
            await using var conn = await db.OpenAsync(ct);
            var ballots = (await conn.QueryAsync<OpenBallot>("""
                SELECT id, title, closes_at AS ClosesAt, coalesce(electorate_size, 0) AS Entitled
                FROM ballot WHERE status = 'open' ORDER BY closes_at, id
                """)).AsList();
            if (q.Role is Roles.Executive or Roles.Scrutineer)
                foreach (var b in ballots)
                    b.Voted = await Ballots.TurnoutCounts.VotedAsync(conn, b.Id);
            var expiring = await ExpiringMandatesAsync(conn, now);
            if (!mail) return new View(ballots, [], [], [], [], now, expiring);

            const string progress = "SELECT m.id, m.subject, m.status, m.updated_at AS UpdatedAt FROM mailing m";
            var sending = (await conn.QueryAsync<MailingProgress>(progress + " WHERE m.status = 'sending' AND m.test_of IS NULL ORDER BY m.id")).AsList();
            var awaiting = q.Role == Roles.Executive
                ? (await conn.QueryAsync<MailingProgress>(progress + " WHERE m.status = 'draft' AND m.kind = 'campaign' AND m.test_of IS NULL ORDER BY m.id")).AsList()
                : [];
            var failed = (await conn.QueryAsync<MailingProgress>(progress + """
                 WHERE m.test_of IS NULL AND EXISTS (SELECT 1 FROM mailing_recipient r WHERE r.mailing_id = m.id AND r.state = 'failed')
                 ORDER BY m.id DESC LIMIT 20
                """)).AsList();
            var shown = sending.Concat(awaiting).Concat(failed).ToList();
            var counts = await MailingTally.ForAsync(conn, shown.Select(m => m.Id).ToList());
            foreach (var m in shown)
            {
                m.Recipients = counts[m.Id].Total;
                m.Sent = counts[m.Id]["sent"];
                m.Failed = counts[m.Id]["failed"];
            }
            var jobs = (await conn.QueryAsync<FailedJob>("""
                SELECT j.id, 'leaflets' AS Kind, c.name || ' (' || j.audience || ', ' || j.language || ')' AS Description, j.error,
                       coalesce(j.finished_at, j.created_at) AS At
                FROM leaflet_job j JOIN campaign c ON c.id = j.campaign_id
                WHERE j.status = 'failed' ORDER BY j.id DESC LIMIT 20
                """)).AsList();
            return new View(ballots, sending, awaiting, failed, jobs, now, expiring);
        }
    }
}
