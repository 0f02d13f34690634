using Ballot.Core.Common;
using Ballot.Core.Data;
using Dapper;
using MediatR;

namespace Ballot.Core.Mail;

/// <summary>
/// Stops a mailing: letters not yet claimed are cancelled at once; a worker sending it notices within a heartbeat
/// (Mail:LeaseSeconds / 3) and stops after the letter in hand. Letters already sent stay sent.
/// </summary>
public static class CancelMailing
{
    public sealed record Command(long Id) : IRequest<MailingView>;

    public sealed class Handler(Db db, TimeProvider clock) : IRequestHandler<Command, MailingView>
    {
        public async Task<MailingView> Handle(Command cmd, CancellationToken ct)
        {
            var now = clock.GetUtcNow();
            await using var conn = await db.OpenAsync(ct);
            await using var tx = await db.BeginWriteAsync(conn, ct);
            var m = await MailingRow.LoadAsync(conn, cmd.Id, tx);
            m.EnsureOwnedByMailings("cancelled");
            if (m.Status is "sent" or "cancelled") throw new Conflict($"Mailing {cmd.Id} is already {m.Status}.");
            await conn.ExecuteAsync("UPDATE mailing SET status = 'cancelled', updated_at = @now, finished_at = @now WHERE id = @id",
                new { id = cmd.Id, now }, tx);
            await conn.ExecuteAsync("""
                UPDATE mailing_recipient SET state = 'cancelled', last_error = 'The mailing was cancelled.'
                WHERE mailing_id = @id AND state = 'pending'
                """, new { id = cmd.Id }, tx);
            var view = await (await MailingRow.LoadAsync(conn, cmd.Id, tx)).ToViewAsync(conn, tx);
            await tx.CommitAsync(ct);
            return view;
        }
    }
}
