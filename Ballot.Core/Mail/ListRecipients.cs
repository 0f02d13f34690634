using Ballot.Core.Common;
using Ballot.Core.Data;
using Dapper;
using MediatR;

namespace Ballot.Core.Mail;

/// <summary>A mailing's letters by state, e.g. ?status=failed with the SMTP server's last reply for each.</summary>
public static class ListRecipients
{
    public sealed record Query(long Id, string? Status = null, int Page = 1, int PageSize = 100) : IRequest<Paged<RecipientView>>, IValidatable
    {
        public void Validate(Problems p)
        {
            p.OneOf("status", Status, MailingStatuses.RecipientStates);
            p.Paging(Page, PageSize, 1000);
        }
    }

    public sealed class RecipientView
    {
        public long Id { get; init; }
        public string MembershipNumber { get; init; } = "";
        public string Email { get; init; } = "";
        public string State { get; init; } = "";
        public int Attempts { get; init; }
        public string? LastError { get; init; }
        public DateTimeOffset? SentAt { get; init; }
        public DateTimeOffset? RetryAt { get; init; }
    }

    public sealed class Handler(Db db) : IRequestHandler<Query, Paged<RecipientView>>
    {
        public async Task<Paged<RecipientView>> Handle(Query q, CancellationToken ct)
        {
            await using var conn = await db.OpenAsync(ct);
            (await MailingRow.LoadAsync(conn, q.Id)).EnsureOwnedByMailings("listed by recipient");
            var where = "WHERE r.mailing_id = @id" + (q.Status is null ? "" : " AND r.state = @status");
            var args = new { id = q.Id, status = q.Status, limit = q.PageSize, offset = Paging.Offset(q.Page, q.PageSize) };
            var total = await conn.ExecuteScalarAsync<long>($"SELECT COUNT(*) FROM mailing_recipient r {where}", args);
            var rows = (await conn.QueryAsync<RecipientView>($"""
                SELECT r.id, m.membership_number AS MembershipNumber, r.email, r.state, r.attempts, r.last_error AS LastError,
                       r.sent_at AS SentAt, r.retry_at AS RetryAt
                FROM mailing_recipient r JOIN member m ON m.id = r.member_id
                {where} ORDER BY r.id LIMIT @limit OFFSET @offset
                """, args)).ToList();
            return new Paged<RecipientView>(rows, q.Page, q.PageSize, total);
        }
    }
}
