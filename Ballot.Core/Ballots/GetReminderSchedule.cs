using Ballot.Core.Data;
using Dapper;
using MediatR;

namespace Ballot.Core.Ballots;

/// <summary>The reminders of an opened ballot: when each is due, and when it was sent (with how many letters).</summary>
public static class GetReminderSchedule
{
    public sealed record Reminder(DateTimeOffset DueAt, DateTimeOffset? SentAt, long? MailingId, long Letters);

    public sealed record Query(long Id) : IRequest<IReadOnlyList<Reminder>>;

    private sealed class Row
    {
        public DateTimeOffset DueAt { get; init; }
        public DateTimeOffset? SentAt { get; init; }
        public long? MailingId { get; init; }
        public long Letters { get; init; }
    }

    public sealed class Handler(Db db) : IRequestHandler<Query, IReadOnlyList<Reminder>>
    {
        public async Task<IReadOnlyList<Reminder>> Handle(Query q, CancellationToken ct)
        {
            await using var conn = await db.OpenAsync(ct);
            await BallotRow.LoadAsync(conn, q.Id);
            var rows = await conn.QueryAsync<Row>("""
                SELECT r.due_at, r.sent_at, r.mailing_id,
                       (SELECT coalesce(SUM(t.n), 0) FROM mailing_tally t WHERE t.mailing_id = r.mailing_id) AS letters
                FROM ballot_reminder r WHERE r.ballot_id = @id ORDER BY r.due_at
                """, new { id = q.Id });
            return rows.Select(r => new Reminder(r.DueAt, r.SentAt, r.MailingId, r.Letters)).ToList();
        }
    }
}
