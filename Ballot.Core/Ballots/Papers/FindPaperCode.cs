using Ballot.Core.Data;
using Dapper;
using MediatR;

namespace Ballot.Core.Ballots.Papers;

/// <summary>
/// The short code typed at /vote, from a voting paper: answers the elector's own credential (the link of their email
/// letter and of the paper's QR code), or null when no paper carries the code. Only the code's hash is stored.
/// </summary>
public static class FindPaperCode
{
    public sealed record Query(string? Code) : IRequest<string?>;

    private sealed class Found
    {
        public long BallotId { get; init; }
        public long MemberId { get; init; }
    }

    public sealed class Handler(Db db, Credentials credentials) : IRequestHandler<Query, string?>
    {
        public async Task<string?> Handle(Query q, CancellationToken ct)
        {
            if (PaperCodes.Normalize(q.Code) is not { } code) return null;
            await using var conn = await db.OpenAsync(ct);
            var found = await conn.QuerySingleOrDefaultAsync<Found>(
                "SELECT ballot_id AS BallotId, member_id AS MemberId FROM ballot_voting_paper WHERE short_code_hash = @hash",
                new { hash = PaperCodes.Hash(code) });
            return found is null ? null : credentials.ForBallot(found.BallotId).For(found.MemberId);
        }
    }
}
