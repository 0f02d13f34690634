using Ballot.Core.Data;
using Dapper;
using MediatR;

namespace Ballot.Core.Ballots;

/// <summary>
/// The trackers counted that begin with what was typed (dashes, spaces and case ignored), under the
/// same publication rule as the result: a result page searches a million receipts rather than listing them. The start
/// of the code, not any part of it: a range on the papers' key, not a pass over a million of them.
/// </summary>
public static class SearchReceipts
{
    public sealed record Query(long Id, bool Staff, string Text, int Limit = 50) : IRequest<IReadOnlyList<string>>;

    public sealed class Handler(Db db) : IRequestHandler<Query, IReadOnlyList<string>>
    {
        public async Task<IReadOnlyList<string>> Handle(Query q, CancellationToken ct)
        {
            await using var conn = await db.OpenAsync(ct);
            GetResult.EnsurePublished(await BallotRow.LoadWithoutResultAsync(conn, q.Id), q.Staff);
            var needle = new string(q.Text.Where(char.IsAsciiHexDigit).Select(char.ToLowerInvariant).ToArray());
            if (needle.Length == 0) return [];
            var found = await conn.QueryAsync<string>(
                "SELECT tracker FROM ballot_paper WHERE ballot_id = @id AND tracker >= @from AND tracker < @to ORDER BY tracker LIMIT @limit",
                new { id = q.Id, from = needle, to = needle + "~", limit = Math.Clamp(q.Limit, 1, 200) });
            return found.Select(Receipts.Display).ToList();
        }
    }
}
