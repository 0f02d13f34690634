using Ballot.Core.Common;
using Ballot.Core.Data;
using Dapper;
using MediatR;

namespace Ballot.Core.Mail;

/// <summary>The letter one member would receive: subject, HTML and text, rendered exactly as the worker renders it.</summary>
public static class PreviewMailing
{
    public sealed record Query(long Id, string? Member) : IRequest<Preview>, IValidatable
    {
        public void Validate(Problems p) => p.Required("member", Member, 32);
    }

    public sealed record Preview(long MailingId, string MembershipNumber, string To, string Subject, string Html, string Text,
        IReadOnlyDictionary<string, string> Headers);

    public sealed class Handler(Db db, MailKeys keys, LetterComposer composer) : IRequestHandler<Query, Preview>
    {
        public async Task<Preview> Handle(Query q, CancellationToken ct)
        {
            await keys.LoadAsync(ct);
            await using var conn = await db.OpenAsync(ct);
            var m = await MailingRow.LoadAsync(conn, q.Id);
            m.EnsureOwnedByMailings("previewed");
            var r = await conn.QuerySingleOrDefaultAsync<LetterRecipient>(RecipientQueries.Member + " WHERE m.membership_number = @number",
                new { number = q.Member!.Trim() }) ?? throw new NotFound($"No member has membership number {q.Member}.");
            var mailing = new MailingToSend
            {
                Id = m.Id, Kind = m.Kind, Source = m.Source, SourceId = m.SourceId, Subject = m.Subject,
                BodyMarkdown = m.BodyMarkdown, ReplyTo = m.ReplyTo, Status = m.Status,
            };
            var letter = composer.Render(mailing, LetterTemplate.Compile(m.Subject, m.BodyMarkdown), r, sample: true);
            var headers = new Dictionary<string, string>();
            if (mailing.IsCampaign)
            {
                headers["List-Unsubscribe"] = "<" + composer.SampleUnsubscribeUrl + ">";
                headers["List-Unsubscribe-Post"] = "List-Unsubscribe=One-Click";
            }
            return new Preview(m.Id, r.MembershipNumber, r.Email, letter.Subject, letter.Html, letter.Text, headers);
        }
    }
}
