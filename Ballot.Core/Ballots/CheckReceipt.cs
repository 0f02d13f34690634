using Ballot.Core.Common;
using Ballot.Core.Data;
using Dapper;
using MediatR;

namespace Ballot.Core.Ballots;

public static class CheckReceipt
{
    /// <param name="Counted">null while the ballot is open (recorded, not yet counted).</param>
    public sealed record View(string Receipt, bool Recorded, bool? Counted, string BallotStatus, string Message);

    public sealed record Query(long BallotId, string Receipt) : IRequest<View>;

    public sealed class Handler(Db db) : IRequestHandler<Query, View>
    {
        public async Task<View> Handle(Query q, CancellationToken ct)
        {
            var code = Receipts.Normalize(q.Receipt) ?? throw ValidationFailed.For("receipt", "A receipt is 16 letters and digits, e.g. 7K3M-Q9XD-2TWA-8HNB.");
            await using var conn = await db.OpenAsync(ct);
            var status = await conn.ExecuteScalarAsync<string?>("SELECT status FROM ballot WHERE id = @id", new { id = q.BallotId });
            // Anonymous: a draft answers exactly as a ballot that does not exist.
            if (status is null or "draft") throw new NotFound(BallotRow.NoSuchBallot(q.BallotId));
            var recorded = await conn.ExecuteScalarAsync<long>(
                "SELECT COUNT(*) FROM ballot_paper_cast WHERE ballot_id = @id AND receipt = @code", new { id = q.BallotId, code }) > 0;
            var display = Receipts.Display(code);
            if (status == "open")
                return new View(display, recorded, null, status,
                    recorded ? "Your vote is recorded; it will be counted when the ballot closes." : "No vote with this receipt has been recorded.");
            return new View(display, recorded, recorded, status,
                recorded ? "Your vote was counted." : "No vote with this receipt was counted in this ballot.");
        }
    }
}
