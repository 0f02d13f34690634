using Ballot.Core.Common;
using Ballot.Core.Data;
using Dapper;
using MediatR;

namespace Ballot.Core.Mail;

/// <summary>
/// A member stops campaign mail with the personal link in any campaign letter (the page's button, or a mail client's
/// RFC 8058 one-click POST). Later campaign letters skip them, including letters of a mailing already under way;
/// statutory ballot mail still reaches them. Saying it twice is fine.
/// </summary>
public static class Unsubscribe
{
    public sealed record Command(string Token) : IRequest<bool>;

    /// <summary>Whether the token is valid and the member already unsubscribed (for the page), without changing anything.</summary>
    public sealed record Check(string Token) : IRequest<bool?>;

    public sealed class Handler(Db db, MailKeys keys, TimeProvider clock) : IRequestHandler<Command, bool>, IRequestHandler<Check, bool?>
    {
        public async Task<bool> Handle(Command cmd, CancellationToken ct)
        {
            await keys.LoadAsync(ct);
            var memberId = keys.MemberFromToken(cmd.Token) ?? throw new NotFound("This unsubscribe link is not valid.");
            await using var conn = await db.OpenAsync(ct);
            await using var tx = await db.BeginWriteAsync(conn, ct);
            if (await conn.ExecuteScalarAsync<long>("SELECT COUNT(*) FROM member WHERE id = @memberId", new { memberId }, tx) == 0)
                throw new NotFound("This unsubscribe link is not valid.");
            await conn.ExecuteAsync("""
                INSERT INTO mail_opt_out (member_id, created_at) VALUES (@memberId, @now)
                ON CONFLICT (member_id) DO NOTHING
                """, new { memberId, now = clock.GetUtcNow() }, tx);
            await tx.CommitAsync(ct);
            return true;
        }

        public async Task<bool?> Handle(Check q, CancellationToken ct)
        {
            await keys.LoadAsync(ct);
            if (keys.MemberFromToken(q.Token) is not { } memberId) return null;
            await using var conn = await db.OpenAsync(ct);
            if (await conn.ExecuteScalarAsync<long>("SELECT COUNT(*) FROM member WHERE id = @memberId", new { memberId }) == 0) return null;
            return await conn.ExecuteScalarAsync<long>("SELECT COUNT(*) FROM mail_opt_out WHERE member_id = @memberId", new { memberId }) > 0;
        }
    }
}
