using Ballot.Core.Common;
using Ballot.Core.Data;
using Dapper;
using MediatR;

namespace Ballot.Core.Mail;

/// <summary>Changes a draft. Once approved a mailing is fixed: what the executive approved is what is sent.</summary>
public static class UpdateMailing
{
    public sealed record Command(long Id, string? Subject, string? BodyMarkdown, string? ReplyTo, Audience? Audience)
        : IRequest<MailingView>, IValidatable
    {
        public void Validate(Problems p) => MailingRules.Validate(p, Subject, BodyMarkdown, ReplyTo, Audience, required: false);
    }

    public sealed class Handler(Db db, TimeProvider clock) : IRequestHandler<Command, MailingView>
    {
        public async Task<MailingView> Handle(Command cmd, CancellationToken ct)
        {
            await using var conn = await db.OpenAsync(ct);
            await using var tx = await db.BeginWriteAsync(conn, ct);
            var m = await MailingRow.LoadAsync(conn, cmd.Id, tx);
            m.EnsureOwnedByMailings("edited");
            if (m.Status != "draft")
                throw new Conflict($"Mailing {cmd.Id} is {m.Status}; only a draft can be edited.");
            if (cmd.Subject is not null || cmd.BodyMarkdown is not null)
                LetterTemplate.Compile(cmd.Subject ?? m.Subject, cmd.BodyMarkdown ?? m.BodyMarkdown);
            await conn.ExecuteAsync("""
                UPDATE mailing SET subject = @subject, body_markdown = @body, reply_to = @replyTo, audience = @audience, updated_at = @now
                WHERE id = @id
                """, new
            {
                id = cmd.Id,
                subject = cmd.Subject?.Trim() ?? m.Subject,
                body = cmd.BodyMarkdown ?? m.BodyMarkdown,
                replyTo = cmd.ReplyTo is null ? m.ReplyTo : string.IsNullOrWhiteSpace(cmd.ReplyTo) ? null : cmd.ReplyTo.Trim(),
                audience = cmd.Audience?.ToJson() ?? m.Audience,
                now = clock.GetUtcNow(),
            }, tx);
            var view = await (await MailingRow.LoadAsync(conn, cmd.Id, tx)).ToViewAsync(conn, tx);
            await tx.CommitAsync(ct);
            return view;
        }
    }
}
