using Ballot.Core.Common;
using Ballot.Core.Data;
using Dapper;
using MediatR;

namespace Ballot.Core.Mail;

/// <summary>
/// Sends an approved mailing now or at a time: the audience is fixed into one pending recipient row per member (one
/// transaction), and the mailing becomes 'scheduled'. The worker sends it when it is due.
/// </summary>
public static class ScheduleMailing
{
    public sealed record Command(long Id, DateTimeOffset? At, string Actor) : IRequest<MailingView>;

    public sealed class Handler(Db db, TimeProvider clock) : IRequestHandler<Command, MailingView>
    {
        public async Task<MailingView> Handle(Command cmd, CancellationToken ct)
        {
            var now = clock.GetUtcNow();
            var at = cmd.At is { } t && t > now ? t : now;
            await using var conn = await db.OpenAsync(ct);
            await using var tx = await db.BeginWriteAsync(conn, ct);
            var m = await MailingRow.LoadAsync(conn, cmd.Id, tx);
            m.EnsureOwnedByMailings("sent or rescheduled");
            if (m.Status == "draft") throw new Conflict($"Mailing {cmd.Id} is a draft; the executive must approve it before it is sent.");
            if (m.Status != "approved") throw new Conflict($"Mailing {cmd.Id} is {m.Status}; only an approved mailing can be sent.");
            var (sql, args) = Audience.FromJson(m.Audience).Select();
            var queued = await MailQueue.AddRecipientsAsync(conn, tx, cmd.Id, sql, args);
            if (queued == 0) throw new Conflict("The audience has no active member with an email address.");
            await conn.ExecuteAsync("UPDATE mailing SET status = 'scheduled', send_at = @at, updated_at = @now WHERE id = @id",
                new { id = cmd.Id, at, now }, tx);
            var view = await (await MailingRow.LoadAsync(conn, cmd.Id, tx)).ToViewAsync(conn, tx);
            await tx.CommitAsync(ct);
            return view;
        }
    }
}
