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
            var code = Receipts.Normalize(q.Receipt)
                ?? throw ValidationFailed.For("receipt", "A receipt is the tracker shown when you voted: 64 letters a-f and digits (at least the first 16), e.g. 3f9a1c07-5be2….");
            await using var conn = await db.OpenAsync(ct);
            var status = await conn.ExecuteScalarAsync<string?>("SELECT status FROM ballot WHERE id = @id", new { id = q.BallotId });
            // Anonymous: a draft answers exactly as a ballot that does not exist.
            if (status is null or "draft") throw new NotFound(BallotRow.NoSuchBallot(q.BallotId));
            // The start of a tracker is enough: a range on the papers' key.
            var found = await conn.ExecuteScalarAsync<string?>(
                "SELECT MIN(tracker) FROM ballot_paper WHERE ballot_id = @id AND tracker >= @code AND tracker < @to", new { id = q.BallotId, code, to = code + "~" });
            var recorded = found is not null;
            var display = Receipts.Display(found ?? code);
            if (status == "open")
                return new View(display, recorded, null, status,
                    recorded ? "Your vote is recorded; it will be counted when the ballot closes." : "No vote with this receipt has been recorded.");
            return new View(display, recorded, recorded, status,
                recorded ? "Your vote was counted." : "No vote with this receipt was counted in this ballot.");
        }
    }
}
