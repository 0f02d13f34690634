using Ballot.Core.Data;
using Dapper;
using MediatR;

namespace Ballot.Core.Ballots.Papers;

/// <summary>
/// The running reconciliation of a ballot's two channels, for the scrutineer and the executive: papers issued, returned
/// (entered), counted, set aside as duplicates, refused as late, and votes cast online. Counts of participation only;
/// the duplicates and late papers are listed by serial number, which the print manifest maps to the elector.
/// </summary>
public static class GetPaperReconciliation
{
    public sealed class Batch
    {
        public long Id { get; init; }
        public string EnteredBy { get; init; } = "";
        public DateTimeOffset EnteredAt { get; init; }
        public long Papers { get; init; }
        public long Counted { get; init; }
        public long Duplicates { get; init; }
        public long Late { get; init; }
        public long Refused { get; init; }
    }

    /// <param name="PaperOnly">electors of an electronic or hybrid ballot whose letter carries no link: no email, or only a work email.</param>
    public sealed record View(long BallotId, string VotingMethod, long Electors, long PapersIssued, long PapersReturned, long PapersCounted,
        long Duplicates, long Late, long VotesOnline, long VotesCast, long PaperOnlyNoEmail, long PaperOnlyWorkEmail,
        IReadOnlyList<string> DuplicateSerials, IReadOnlyList<string> LateSerials, IReadOnlyList<Batch> Batches);

    public sealed record Query(long Id) : IRequest<View>;

    private sealed class Counts
    {
        public long Issued { get; init; }
        public long Returned { get; init; }
        public long Counted { get; init; }
        public long Duplicates { get; init; }
        public long Late { get; init; }
    }

    public sealed class Handler(Db db) : IRequestHandler<Query, View>
    {
        public async Task<View> Handle(Query q, CancellationToken ct)
        {
            await using var conn = await db.OpenAsync(ct);
            var ballot = await BallotRow.LoadAsync(conn, q.Id);
            var c = await conn.QuerySingleAsync<Counts>("""
                SELECT COUNT(*) AS Issued,
                       COALESCE(SUM(CASE WHEN returned IS NOT NULL THEN 1 ELSE 0 END), 0) AS Returned,
                       COALESCE(SUM(CASE WHEN returned = 'counted' THEN 1 ELSE 0 END), 0) AS Counted,
                       COALESCE(SUM(CASE WHEN returned = 'duplicate' THEN 1 ELSE 0 END), 0) AS Duplicates,
                       COALESCE(SUM(CASE WHEN returned = 'late' THEN 1 ELSE 0 END), 0) AS Late
                FROM ballot_voting_paper WHERE ballot_id = @id
                """, new { id = q.Id });
            var voted = await conn.ExecuteScalarAsync<long>("SELECT COUNT(*) FROM ballot_elector WHERE ballot_id = @id AND voted = 1", new { id = q.Id });
            var paperOnly = (await conn.QueryAsync<(string Reason, long N)>(
                "SELECT reason, COUNT(*) FROM ballot_paper_only WHERE ballot_id = @id GROUP BY reason", new { id = q.Id })).ToDictionary(x => x.Reason, x => x.N);
            var listed = (await conn.QueryAsync<(long Serial, string Returned)>(
                "SELECT serial, returned FROM ballot_voting_paper WHERE ballot_id = @id AND returned IN ('duplicate', 'late') ORDER BY serial",
                new { id = q.Id })).ToList();
            var batches = (await conn.QueryAsync<Batch>("""
                SELECT id AS Id, entered_by AS EnteredBy, entered_at AS EnteredAt, papers AS Papers, counted AS Counted,
                       duplicates AS Duplicates, late AS Late, refused AS Refused
                FROM ballot_return_batch WHERE ballot_id = @id ORDER BY id DESC LIMIT 50
                """, new { id = q.Id })).ToList();
            return new View(q.Id, ballot.VotingMethod, ballot.ElectorateSize ?? 0, c.Issued, c.Returned, c.Counted, c.Duplicates, c.Late,
                voted - c.Counted, voted, paperOnly.GetValueOrDefault("no-email"), paperOnly.GetValueOrDefault("work-email"),
                listed.Where(x => x.Returned == "duplicate").Select(x => PaperCodes.SerialText(x.Serial)).ToList(),
                listed.Where(x => x.Returned == "late").Select(x => PaperCodes.SerialText(x.Serial)).ToList(), batches);
        }
    }
}
