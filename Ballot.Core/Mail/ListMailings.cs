using Ballot.Core.Common;
using Ballot.Core.Data;
using Dapper;
using MediatR;

namespace Ballot.Core.Mail;

public static class ListMailings
{
    public sealed record Summary(long Id, string Kind, string? Purpose, string Subject, string Status, DateTimeOffset? SendAt, DateTimeOffset CreatedAt,
        long Recipients = 0, long Sent = 0, long Failed = 0);

    public sealed record Query(string? Status = null, int Page = 1, int PageSize = 50) : IRequest<Paged<Summary>>, IValidatable
    {
        public void Validate(Problems p)
        {
            p.OneOf("status", Status, MailingStatuses.All);
            p.Paging(Page, PageSize, 500);
        }
    }

    private sealed class Row
    {
        public long Id { get; init; }
        public string Kind { get; init; } = "";
        public string? Purpose { get; init; }
        public string Subject { get; init; } = "";
        public string Status { get; init; } = "";
        public DateTimeOffset? SendAt { get; init; }
        public DateTimeOffset CreatedAt { get; init; }
    }

    public sealed class Handler(Db db) : IRequestHandler<Query, Paged<Summary>>
    {
        public async Task<Paged<Summary>> Handle(Query q, CancellationToken ct)
        {
            await using var conn = await db.OpenAsync(ct);
            var where = "WHERE test_of IS NULL" + (q.Status is null ? "" : " AND status = @status");
            var args = new { status = q.Status, limit = q.PageSize, offset = Paging.Offset(q.Page, q.PageSize) };
            var total = await conn.ExecuteScalarAsync<long>($"SELECT COUNT(*) FROM mailing {where}", args);
            var rows = await conn.QueryAsync<Row>($"""
                SELECT id, kind, purpose, subject, status, send_at AS SendAt, created_at AS CreatedAt
                FROM mailing {where} ORDER BY id DESC LIMIT @limit OFFSET @offset
                """, args);
            var ids = rows.Select(r => r.Id).ToArray();
            var counts = await MailingTally.ForAsync(conn, ids);
            return new Paged<Summary>(rows.Select(r => new Summary(r.Id, r.Kind, r.Purpose, r.Subject, r.Status, r.SendAt, r.CreatedAt,
                    counts[r.Id].Total, counts[r.Id]["sent"], counts[r.Id]["failed"])).ToList(),
                q.Page, q.PageSize, total);
        }
    }
}

public static class MailingStatuses
{
    public static readonly string[] All = ["draft", "approved", "scheduled", "sending", "sent", "cancelled"];
    public static readonly string[] RecipientStates = ["pending", "sending", "sent", "failed", "cancelled"];
}
