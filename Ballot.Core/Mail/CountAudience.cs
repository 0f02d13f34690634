using Ballot.Core.Common;
using Ballot.Core.Data;
using Dapper;
using MediatR;

namespace Ballot.Core.Mail;

/// <summary>How many members an audience reaches now (active, not erased, with an email address).</summary>
public static class CountAudience
{
    public sealed record Query(Audience Audience) : IRequest<long>, IValidatable
    {
        public void Validate(Problems p) => Audience.Validate(p);
    }

    public sealed class Handler(Db db) : IRequestHandler<Query, long>
    {
        public async Task<long> Handle(Query q, CancellationToken ct)
        {
            var (sql, args) = q.Audience.Select();
            await using var conn = await db.OpenAsync(ct);
            return await conn.ExecuteScalarAsync<long>($"SELECT COUNT(*) FROM ({sql}) a", args);
        }
    }
}
