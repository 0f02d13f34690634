using System.Globalization;
using Ballot.Core.Data;
using Dapper;
using MediatR;

namespace Ballot.Core.Motions;

/// <summary>
/// What the board shows beside each link: the linked item's name and its state in a few words ("ballot open, 38%
/// turnout", "mailing sent to 412,003"). Turnout is participation only, which may be shown while a ballot is open, but
/// only to those who may see turnout (executives and scrutineers): <see cref="Query.Turnout"/>.
/// </summary>
public static class DescribeLinks
{
    public sealed record Link(string Kind, long Id);

    public sealed record State(string Kind, long Id, string Title, string Status, string Summary);

    public sealed record Query(IReadOnlyList<Link> Links, bool Turnout) : IRequest<IReadOnlyDictionary<Link, State>>;

    private sealed class BallotRow
    {
        public string Title { get; init; } = "";
        public string Status { get; init; } = "";
        public long Entitled { get; init; }
        public long Voted { get; init; }
    }

    private sealed class MailingRow
    {
        public string Subject { get; init; } = "";
        public string Status { get; init; } = "";
        public long Recipients { get; init; }
        public long Sent { get; init; }
        public long Failed { get; init; }
    }

    private sealed class CampaignRow
    {
        public string Name { get; init; } = "";
        public long Contents { get; init; }
        public long Leaflets { get; init; }
        public long Running { get; init; }
    }

    private static readonly CultureInfo En = CultureInfo.GetCultureInfo("en-GB");

    private static string N(long n) => n.ToString("N0", En);

    public sealed class Handler(Db db) : IRequestHandler<Query, IReadOnlyDictionary<Link, State>>
    {
        public async Task<IReadOnlyDictionary<Link, State>> Handle(Query q, CancellationToken ct)
        {
            var states = new Dictionary<Link, State>();
            await using var conn = await db.OpenAsync(ct);
            foreach (var link in q.Links.Distinct())
            {
                var state = link.Kind switch
                {
                    "ballot" => await BallotAsync(conn, link.Id, q.Turnout),
                    "mailing" => await MailingAsync(conn, link.Id),
                    "campaign" => await CampaignAsync(conn, link.Id),
                    _ => null,
                };
                if (state is not null) states[link] = state;
            }
            return states;
        }

        private static async Task<State?> BallotAsync(System.Data.Common.DbConnection conn, long id, bool withTurnout)
        {
            var b = await conn.QuerySingleOrDefaultAsync<BallotRow>("""
                SELECT b.title AS Title, b.status AS Status,
                       (SELECT coalesce(SUM(c.entitled), 0) FROM ballot_constituency c WHERE c.ballot_id = b.id) AS Entitled,
                       (SELECT coalesce(SUM(t.voted), 0) FROM ballot_turnout_hour t WHERE t.ballot_id = b.id) AS Voted
                FROM ballot b WHERE b.id = @id
                """, new { id });
            if (b is null) return null;
            var turnout = b.Entitled == 0 ? 0 : b.Voted * 100 / b.Entitled;
            var summary = b.Status == "draft" ? "ballot draft, not yet open" : withTurnout ? $"ballot {b.Status}, {turnout}% turnout" : $"ballot {b.Status}";
            return new State("ballot", id, b.Title, b.Status, summary);
        }

        private static async Task<State?> MailingAsync(System.Data.Common.DbConnection conn, long id)
        {
            var m = await conn.QuerySingleOrDefaultAsync<MailingRow>("""
                SELECT m.subject AS Subject, m.status AS Status,
                       (SELECT coalesce(SUM(t.n), 0) FROM mailing_tally t WHERE t.mailing_id = m.id) AS Recipients,
                       (SELECT coalesce(SUM(t.n), 0) FROM mailing_tally t WHERE t.mailing_id = m.id AND t.state = 'sent') AS Sent,
                       (SELECT coalesce(SUM(t.n), 0) FROM mailing_tally t WHERE t.mailing_id = m.id AND t.state = 'failed') AS Failed
                FROM mailing m WHERE m.id = @id
                """, new { id });
            if (m is null) return null;
            var failed = m.Failed > 0 ? $", {N(m.Failed)} failed" : "";
            var summary = m.Status switch
            {
                "sent" => $"mailing sent to {N(m.Sent)}{failed}",
                "sending" => $"mailing sending: {N(m.Sent)} of {N(m.Recipients)} sent{failed}",
                _ => $"mailing {m.Status}",
            };
            return new State("mailing", id, m.Subject, m.Status, summary);
        }

        private static async Task<State?> CampaignAsync(System.Data.Common.DbConnection conn, long id)
        {
            var c = await conn.QuerySingleOrDefaultAsync<CampaignRow>("""
                SELECT c.name AS Name,
                       (SELECT COUNT(*) FROM campaign_content x WHERE x.campaign_id = c.id) AS Contents,
                       (SELECT COALESCE(SUM(j.done), 0) FROM leaflet_job j WHERE j.campaign_id = c.id AND j.status = 'done') AS Leaflets,
                       (SELECT COUNT(*) FROM leaflet_job j WHERE j.campaign_id = c.id AND j.status IN ('pending', 'running')) AS Running
                FROM campaign c WHERE c.id = @id
                """, new { id });
            if (c is null) return null;
            var summary = $"campaign: {N(c.Contents)} leaflet{(c.Contents == 1 ? "" : "s")} written, {N(c.Leaflets)} school leaflet{(c.Leaflets == 1 ? "" : "s")} made"
                          + (c.Running > 0 ? $", {N(c.Running)} bulk job{(c.Running == 1 ? "" : "s")} running" : "");
            return new State("campaign", id, c.Name, c.Leaflets > 0 ? "made" : "written", summary);
        }
    }
}
