using Ballot.Core.Data;
using Dapper;

namespace Ballot.Core.Mail;

/// <summary>
/// What the worker's poll finds: scheduled mailings whose time has come become 'sending', and every sending mailing
/// with letters to send and no live sender is returned, to be sent by a <see cref="MailingSender"/> run.
/// </summary>
public sealed class MailDispatch(Db db, TimeProvider clock)
{
    public async Task<IReadOnlyList<long>> DueAsync(CancellationToken ct)
    {
        var now = clock.GetUtcNow();
        await using var conn = await db.OpenAsync(ct);
        await using (var tx = await db.BeginWriteAsync(conn, ct))
        {
            await conn.ExecuteAsync("""
                UPDATE mailing SET status = 'sending', updated_at = @now
                WHERE status = 'scheduled' AND send_at <= @now
                """, new { now }, tx);
            // A mailing with nothing left to send (e.g. all its recipients unsubscribed or it had none) is done.
            await conn.ExecuteAsync("""
                UPDATE mailing SET status = 'sent', finished_at = @now, updated_at = @now
                WHERE status = 'sending' AND (lease_owner IS NULL OR lease_until < @now)
                  AND NOT EXISTS (SELECT 1 FROM mailing_recipient r WHERE r.mailing_id = mailing.id AND r.state IN ('pending', 'sending'))
                """, new { now }, tx);
            await tx.CommitAsync(ct);
        }
        return (await conn.QueryAsync<long>("""
            SELECT m.id FROM mailing m
            WHERE m.status = 'sending' AND (m.lease_owner IS NULL OR m.lease_until < @now)
              AND EXISTS (SELECT 1 FROM mailing_recipient r
                          WHERE r.mailing_id = m.id
                            AND (r.state = 'sending' OR (r.state = 'pending' AND (r.retry_at IS NULL OR r.retry_at <= @now))))
            ORDER BY m.id
            """, new { now })).ToList();
    }
}
