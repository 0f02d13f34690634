using Ballot.Core.Common;
using Ballot.Core.Data;
using Dapper;
using MediatR;

namespace Ballot.Core.Mail;

/// <summary>An organiser drafts a campaign letter: subject and Markdown body with merge fields, reply-to, audience.</summary>
public static class CreateMailing
{
    public sealed record Command(string? Subject, string? BodyMarkdown, string? ReplyTo, Audience? Audience, string Actor)
        : IRequest<MailingView>, IValidatable
    {
        public void Validate(Problems p) => MailingRules.Validate(p, Subject, BodyMarkdown, ReplyTo, Audience, required: true);
    }

    public sealed class Handler(Db db, TimeProvider clock) : IRequestHandler<Command, MailingView>
    {
        public async Task<MailingView> Handle(Command cmd, CancellationToken ct)
        {
            var now = clock.GetUtcNow();
            await using var conn = await db.OpenAsync(ct);
            await using var tx = await db.BeginWriteAsync(conn, ct);
            var id = await conn.ExecuteScalarAsync<long>("""
                INSERT INTO mailing (kind, purpose, subject, body_markdown, reply_to, audience, status, created_by, created_at, updated_at)
                VALUES ('campaign', 'campaign', @subject, @body, @replyTo, @audience, 'draft', @actor, @now, @now)
                RETURNING id
                """, new { subject = cmd.Subject!.Trim(), body = cmd.BodyMarkdown, replyTo = Blank(cmd.ReplyTo), audience = (cmd.Audience ?? new Audience()).ToJson(), actor = cmd.Actor, now }, tx);
            var view = await (await MailingRow.LoadAsync(conn, id, tx)).ToViewAsync(conn, tx);
            await tx.CommitAsync(ct);
            return view;
        }
    }

    private static string? Blank(string? s) => string.IsNullOrWhiteSpace(s) ? null : s.Trim();
}

internal static class MailingRules
{
    private static readonly LetterRecipient Sample = new()
    {
        MemberId = 1, MembershipNumber = "SAMPLE", FirstName = "Sam", LastName = "Sample", Email = "sam@example.org",
        Workplace = "Sample School", Employer = "Sample Council", Region = "Sample Region", Category = "Teacher",
    };

    public static void Validate(Problems p, string? subject, string? body, string? replyTo, Audience? audience, bool required)
    {
        if (required || subject is not null) p.Required("subject", subject, 300);
        if (required || body is not null) p.Required("bodyMarkdown", body, 200_000);
        if (!string.IsNullOrWhiteSpace(replyTo)) p.Email("replyTo", replyTo.Trim());
        audience?.Validate(p);
        if (p.Any) return;
        try
        {
            // A trial render catches what parsing cannot (an include, a runaway loop) before anyone approves it.
            var template = LetterTemplate.Compile(subject ?? "", body ?? "");
            template.Render(Sample, new MailOptions(), "http://localhost/unsubscribe/sample", null);
        }
        catch (ValidationFailed e)
        {
            foreach (var (field, messages) in e.Errors)
                foreach (var m in messages) p.Add(field, m);
        }
    }
}
