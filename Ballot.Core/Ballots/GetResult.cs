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
    public sealed record Query(long Id, bool Staff) : IRequest<View>;

    public sealed class Handler(Db db) : IRequestHandler<Query, View>
    {
        public async Task<View> Handle(Query q, CancellationToken ct)
        {
            await using var conn = await db.OpenAsync(ct);
            var ballot = await BallotRow.LoadAsync(conn, q.Id);
            // Never an interim figure: before close there is no count to show anyone.
            if (ballot.Status is "draft" or "open" || ballot.Result is null)
                throw new Conflict("There is no result before the ballot closes.");
            if (ballot.Status != "certified" && !q.Staff)
                throw new Forbidden("The result is published when the scrutineer certifies it.");
            var receipts = (await conn.QueryAsync<string>("SELECT receipt FROM ballot_paper WHERE ballot_id = @id ORDER BY receipt", new { id = q.Id }))
                .Select(Receipts.Display).ToList();
            var certificate = ballot.Status == "certified" ? await Certificate.LoadAsync(conn, q.Id) : null;
            return new View(ballot.Status, ballot.Status == "certified", ballot.CertifiedAt, ballot.ResultHash!, BallotResult.Parse(ballot.Result), receipts, certificate);
        }
    }
}
