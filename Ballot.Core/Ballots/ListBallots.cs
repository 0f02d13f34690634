using Ballot.Core.Data;
using Dapper;
using MediatR;

namespace Ballot.Core.Ballots;

public static class ListBallots
{
    public sealed record Summary(long Id, string Title, string Kind, string Status, DateTimeOffset OpensAt, DateTimeOffset ClosesAt, string? RuleSet, int? ElectorateSize);

    public sealed record Query(string? Status = null) : IRequest<IReadOnlyList<Summary>>, Common.IValidatable
    {
        public void Validate(Common.Problems p) => p.OneOf("status", Status, ["draft", "open", "closed", "certified"]);
    }

    public sealed class Handler(Db db) : IRequestHandler<Query, IReadOnlyList<Summary>>
    {
        public async Task<IReadOnlyList<Summary>> Handle(Query q, CancellationToken ct)
        {
            await using var conn = await db.OpenAsync(ct);
            var rows = await conn.QueryAsync<BallotRow>(BallotRow.Select + " WHERE (@Status IS NULL OR status = @Status) ORDER BY id DESC", new { q.Status });
            return rows.Select(r => new Summary(r.Id, r.Title, r.Kind, r.Status, r.OpensAt, r.ClosesAt, r.RuleSet, (int?)r.ElectorateSize)).ToList();
        }
    }
}
