using Ballot.Core.Data;
using Dapper;
using MediatR;

namespace Ballot.Core.Ballots;

/// <summary>
/// The receipts counted that contain what was typed (any part of the code, dashes and case ignored), under the same
/// publication rule as the result: a result page searches a million receipts rather than listing them.
/// </summary>
public static class SearchReceipts
{
    public sealed record Query(long Id, bool Staff, string Text, int Limit = 50) : IRequest<IReadOnlyList<string>>;

    public sealed class Handler(Db db) : IRequestHandler<Query, IReadOnlyList<string>>
    {
        public async Task<IReadOnlyList<string>> Handle(Query q, CancellationToken ct)
        {
            await using var conn = await db.OpenAsync(ct);
            GetResult.EnsurePublished(await BallotRow.LoadAsync(conn, q.Id), q.Staff);
            // Only letters and digits reach the pattern, so it holds no LIKE wildcard.
            var needle = new string(q.Text.Where(char.IsAsciiLetterOrDigit).Select(char.ToUpperInvariant)
                .Select(c => c switch { 'O' => '0', 'I' or 'L' => '1', _ => c }).ToArray());
            if (needle.Length == 0) return [];
            var found = await conn.QueryAsync<string>(
                "SELECT receipt FROM ballot_paper WHERE ballot_id = @id AND receipt LIKE @pattern ORDER BY receipt LIMIT @limit",
                new { id = q.Id, pattern = $"%{needle}%", limit = Math.Clamp(q.Limit, 1, 200) });
            return found.Select(Receipts.Display).ToList();
        }
    }
}
