using Ballot.Core.Common;
using Ballot.Core.Data;
using Dapper;
using MediatR;

namespace Ballot.Core.Ballots;

public static class GetResult
{
    /// <param name="Certificate">the scrutineer's signed certificate, once certified (ADR 0230).</param>
    public sealed record View(string Status, bool Certified, DateTimeOffset? CertifiedAt, string ResultHash, BallotResult Result, IReadOnlyList<string> Receipts,
        Certificate? Certificate);

    /// <param name="Staff">the caller is signed in as staff: they may see the count between close and certification.</param>
    /// <param name="WithReceipts">list every receipt counted; pages showing a large ballot search them instead (SearchReceipts).</param>
    public sealed record Query(long Id, bool Staff, bool WithReceipts = true) : IRequest<View>;

    /// <summary>No count before close; for anyone but staff, none before certification.</summary>
    internal static void EnsurePublished(BallotRow ballot, bool staff)
    {
        if (ballot.Status is "draft" or "open")
            throw new Conflict("There is no result before the ballot closes.");
        if (ballot.ResultHash is null) throw new Conflict(CloseBallot.AwaitingTrustees);
        if (ballot.Status != "certified" && !staff)
            throw new Forbidden("The result is published when the scrutineer certifies it.");
    }

    public sealed class Handler(Db db) : IRequestHandler<Query, View>
    {
        public async Task<View> Handle(Query q, CancellationToken ct)
        {
            await using var conn = await db.OpenAsync(ct);
            var ballot = await BallotRow.LoadWithoutResultAsync(conn, q.Id);
            // A draft is staff's business: to anyone else it answers exactly as a ballot that does not exist.
            if (ballot.Status == "draft" && !q.Staff) throw new NotFound(BallotRow.NoSuchBallot(q.Id));
            // Never an interim figure: before close there is no count to show anyone.
            EnsurePublished(ballot, q.Staff);
            List<string> receipts = q.WithReceipts
                ? (await conn.QueryAsync<string>("SELECT tracker FROM ballot_paper WHERE ballot_id = @id ORDER BY tracker", new { id = q.Id })).Select(Receipts.Display).ToList()
                : [];
            var certificate = ballot.Status == "certified" ? await Certificate.LoadAsync(conn, q.Id) : null;
            var result = await CountedResults.GetAsync(conn, ballot.Id, ballot.ResultHash!);
            return new View(ballot.Status, ballot.Status == "certified", ballot.CertifiedAt, ballot.ResultHash!, result, receipts, certificate);
        }
    }
}
