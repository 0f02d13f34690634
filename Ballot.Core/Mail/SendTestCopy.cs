using Ballot.Core.Common;
using Ballot.Core.Data;
using Dapper;
using MediatR;

namespace Ballot.Core.Mail;

/// <summary>
/// Sends one copy of a mailing to a given address, rendered for a member (the one named, or the first of the
/// audience). The API only records it, as a one-letter test mailing due now; the worker sends it, subject "[TEST] …".
/// </summary>
public static class SendTestCopy
{
    public sealed record Command(long Id, string? Email, string? Member, string Actor) : IRequest<Result>, IValidatable
    {
        public void Validate(Problems p)
        {
            p.Required("email", Email, 254).Email("email", Email?.Trim());
            p.MaxLength("member", Member, 32);
        }
    }

    public sealed record Result(long MailingId, long TestMailingId, string To, string RenderedFor);

    public sealed class Handler(Db db, TimeProvider clock) : IRequestHandler<Command, Result>
    {
        public async Task<Result> Handle(Command cmd, CancellationToken ct)
        {
            var now = clock.GetUtcNow();
            await using var conn = await db.OpenAsync(ct);
            await using var tx = await db.BeginWriteAsync(conn, ct);
            var m = await MailingRow.LoadAsync(conn, cmd.Id, tx);
            m.EnsureOwnedByMailings("test-copied");
            if (m.Status == "cancelled") throw new Conflict($"Mailing {cmd.Id} is cancelled.");
            (long Id, string Number)? member;
            if (!string.IsNullOrWhiteSpace(cmd.Member))
            {
                member = await conn.QuerySingleOrDefaultAsync<(long, string)?>(
                    "SELECT id, membership_number FROM member WHERE membership_number = @number", new { number = cmd.Member.Trim() }, tx)
                    ?? throw new NotFound($"No member has membership number {cmd.Member}.");
            }
            else
            {
                var (sql, args) = Audience.FromJson(m.Audience).Select();
                member = await conn.QueryFirstOrDefaultAsync<(long, string)?>(
                    $"SELECT a.member_id, x.membership_number FROM ({sql}) a JOIN member x ON x.id = a.member_id ORDER BY x.membership_number LIMIT 1", args, tx)
                    ?? throw new Conflict("The audience has no member to render the test letter for; name one with 'member'.");
            }
            var testId = await conn.ExecuteScalarAsync<long>("""
                INSERT INTO mailing (kind, source, source_id, purpose, subject, body_markdown, reply_to, audience, status, send_at,
                                     created_by, created_at, updated_at, test_of)
                SELECT kind, source, source_id, 'test', subject, body_markdown, reply_to, audience, 'scheduled', @now,
                       @actor, @now, @now, id
                FROM mailing WHERE id = @id
                RETURNING id
                """, new { id = m.Id, now, actor = cmd.Actor }, tx);
            await conn.ExecuteAsync("""
                INSERT INTO mailing_recipient (mailing_id, member_id, email, state) VALUES (@testId, @memberId, @email, 'pending')
                """, new { testId, memberId = member.Value.Id, email = cmd.Email!.Trim() }, tx);
            await tx.CommitAsync(ct);
            return new Result(m.Id, testId, cmd.Email.Trim(), member.Value.Number);
        }
    }
}
