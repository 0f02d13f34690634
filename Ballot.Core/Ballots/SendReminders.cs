using Ballot.Core.Data;
using Ballot.Core.Mail;
using Dapper;
using MediatR;

namespace Ballot.Core.Ballots;

/// <summary>Queues each reminder that has fallen due, to electors who have not voted, while the ballot is open. Safe to run twice.</summary>
public static class SendReminders
{
    public sealed record Command(string Actor = "worker") : IRequest<int>;

    private sealed class Due
    {
        public long BallotId { get; init; }
        public DateTimeOffset DueAt { get; init; }
    }

    public sealed class Handler(Db db, TimeProvider clock) : IRequestHandler<Command, int>
    {
        public async Task<int> Handle(Command cmd, CancellationToken ct)
        {
            var now = clock.GetUtcNow();
            List<Due> due;
            await using (var conn = await db.OpenAsync(ct))
                due = (await conn.QueryAsync<Due>("""
                    SELECT r.ballot_id, r.due_at FROM ballot_reminder r JOIN ballot b ON b.id = r.ballot_id
                    WHERE r.sent_at IS NULL AND r.due_at <= @now AND b.status = 'open' AND b.closes_at > @now
                    ORDER BY r.due_at
                    """, new { now })).ToList();
            var sent = 0;
            foreach (var d in due)
            {
                await using var conn = await db.OpenAsync(ct);
                await using var tx = await db.BeginWriteAsync(conn, ct);
                var ballot = await BallotRow.LoadAsync(conn, d.BallotId, tx);
                var claimed = await conn.ExecuteAsync("""
                    UPDATE ballot_reminder SET sent_at = @now WHERE ballot_id = @BallotId AND due_at = @DueAt AND sent_at IS NULL
                    """, new { now, d.BallotId, d.DueAt }, tx);
                if (claimed == 0 || ballot.Status != "open" || ballot.ClosesAt <= now) continue;
                var letter = Letters.Checked(Letters.Reminder(ballot, (int)Math.Ceiling((ballot.ClosesAt - now).TotalDays)));
                var mailingId = await MailQueue.EnqueueAsync(conn, tx,
                    new NewMailing("statutory", letter.Subject, letter.Body, null, Letters.Source, ballot.Id, "reminder", now),
                    """
                    SELECT e.member_id AS member_id, e.email AS email FROM ballot_elector e
                    WHERE e.ballot_id = @ballotId AND e.voted = 0
                    """ + Papers.PaperOnly.LinkFilter(ballot.VotingMethod),
                    new { ballotId = ballot.Id });
                await conn.ExecuteAsync("UPDATE ballot_reminder SET mailing_id = @mailingId WHERE ballot_id = @BallotId AND due_at = @DueAt",
                    new { mailingId, d.BallotId, d.DueAt }, tx);
                var letters = await conn.ExecuteScalarAsync<long>("SELECT COUNT(*) FROM mailing_recipient WHERE mailing_id = @mailingId", new { mailingId }, tx);
                // Checked again under the row lock, held only to commit (votes hold it FOR SHARE): a close that committed
                // meanwhile rolls this reminder back; a later close waits for it and then cancels its letters.
                if ((await BallotRow.LoadLockedAsync(conn, db.Dialect, d.BallotId, tx)).Status != "open") continue;
                await Audit.AppendAsync(conn, tx, ballot.Id, "reminder-sent", cmd.Actor, new { dueAt = d.DueAt, mailingId, letters }, now);
                await tx.CommitAsync(ct);
                sent++;
            }
            return sent;
        }
    }
}
