using Ballot.Core.Data;
using Dapper;
using MediatR;

namespace Ballot.Core.Ballots;

/// <summary>Ballots whose time has come: drafts to open (opening time reached, closing time not) and open ballots to close.</summary>
public static class DueBallots
{
    public sealed record Result(IReadOnlyList<long> ToOpen, IReadOnlyList<long> ToClose);

    public sealed record Query : IRequest<Result>;

    public sealed class Handler(Db db, TimeProvider clock) : IRequestHandler<Query, Result>
    {
        public async Task<Result> Handle(Query q, CancellationToken ct)
        {
            var now = clock.GetUtcNow();
            await using var conn = await db.OpenAsync(ct);
            var toOpen = (await conn.QueryAsync<long>("SELECT id FROM ballot WHERE status = 'draft' AND opens_at <= @now AND closes_at > @now ORDER BY id", new { now })).ToList();
            var toClose = (await conn.QueryAsync<long>("SELECT id FROM ballot WHERE status = 'open' AND closes_at <= @now ORDER BY id", new { now })).ToList();
            return new Result(toOpen, toClose);
        }
    }
}
