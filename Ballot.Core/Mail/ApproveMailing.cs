using Ballot.Core.Common;
using Ballot.Core.Data;
using Dapper;
using MediatR;

namespace Ballot.Core.Mail;

/// <summary>The executive approves a draft; only an approved mailing can be sent, and it can no longer be edited.</summary>
public static class ApproveMailing
{
    public sealed record Command(long Id, string Actor) : IRequest<MailingView>;

    public sealed class Handler(Db db, TimeProvider clock) : IRequestHandler<Command, MailingView>
    {
        public async Task<MailingView> Handle(Command cmd, CancellationToken ct)
        {
            await using var conn = await db.OpenAsync(ct);
            await using var tx = await db.BeginWriteAsync(conn, ct);
            var m = await MailingRow.LoadAsync(conn, cmd.Id, tx);
            m.EnsureOwnedByMailings("approved");
            if (m.Status != "draft") throw new Conflict($"Mailing {cmd.Id} is {m.Status}; only a draft can be approved.");
            await conn.ExecuteAsync("UPDATE mailing SET status = 'approved', approved_by = @actor, updated_at = @now WHERE id = @id",
                new { id = cmd.Id, actor = cmd.Actor, now = clock.GetUtcNow() }, tx);
            var view = await (await MailingRow.LoadAsync(conn, cmd.Id, tx)).ToViewAsync(conn, tx);
            await tx.CommitAsync(ct);
            return view;
        }
    }
}
