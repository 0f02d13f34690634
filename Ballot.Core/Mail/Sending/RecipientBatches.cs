using System.Data.Common;
using Ballot.Core.Data;
using Dapper;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Ballot.Core.Mail.Sending;

/// <summary>
/// The SQL a sender run writes to <c>mailing_recipient</c> and <c>mailing</c>: claim a batch, commit its outcomes,
/// mark letters sent, hand unsent letters back, finish the mailing. Each call is one transaction.
/// </summary>
public sealed class RecipientBatches(Db db, TimeProvider clock, IOptions<MailOptions> mailOptions, ILogger<RecipientBatches> log)
{
    public async Task<MailingToSend> LoadMailingAsync(long mailingId, CancellationToken ct)
    {
        await using var conn = await db.OpenAsync(ct);
        return await conn.QuerySingleAsync<MailingToSend>("""
            SELECT id, kind, source, source_id AS SourceId, subject, body_markdown AS BodyMarkdown, reply_to AS ReplyTo,
                   status, test_of AS TestOf
            FROM mailing WHERE id = @mailingId
            """, new { mailingId });
    }

    public async Task<List<ClaimedLetter>> ClaimAsync(SendRun run, CancellationToken ct)
    {
        var now = clock.GetUtcNow();
        var optOut = run.Mailing.IsCampaign && run.Mailing.TestOf is null
            ? "AND NOT EXISTS (SELECT 1 FROM mail_opt_out o WHERE o.member_id = r.member_id)" : "";
        await using var conn = await db.OpenAsync(ct);
        await using var tx = await db.BeginWriteAsync(conn, ct);
        var ids = (await conn.QueryAsync<long>($"""
            UPDATE mailing_recipient SET state = 'sending', claimed_by = @run, claimed_at = @now
            WHERE id IN (
                SELECT r.id FROM mailing_recipient r
                WHERE r.mailing_id = @mailingId AND r.state = 'pending' AND (r.retry_at IS NULL OR r.retry_at <= @now) {optOut}
                ORDER BY r.id LIMIT @limit{db.Dialect.SkipLocked})
            RETURNING id
            """, new { run = run.Id, now, mailingId = run.Mailing.Id, limit = mailOptions.Value.BatchSize }, tx)).ToList();
        if (ids.Count == 0)
        {
            await tx.CommitAsync(ct);
            return [];
        }
        var rows = (await conn.QueryAsync<ClaimedLetter>($"""
            SELECT r.id AS RecipientId, r.member_id AS MemberId, r.email AS Email, r.attempts AS Attempts,
                   m.membership_number AS MembershipNumber, m.first_name AS FirstName, m.last_name AS LastName,
                   w.name AS Workplace, w.employer AS Employer, w.region AS Region, c.label AS Category, m.erased_at AS ErasedAt
            FROM mailing_recipient r
            JOIN member m ON m.id = r.member_id
            JOIN workplace w ON w.id = m.workplace_id
            LEFT JOIN member_category c ON c.code = m.category
            WHERE {db.Dialect.In("r.id", "ids")}
            """, new { ids = ids.ToArray() }, tx)).OrderBy(r => r.RecipientId).ToList();
        await tx.CommitAsync(ct);
        return rows;
    }

    /// <summary>One transaction per batch: sent, failed, retried later, and the unsent rest handed back.</summary>
    public async Task CommitAsync(SendRun run, List<ClaimedLetter> batch, List<LetterOutcome> outcomes)
    {
        var now = clock.GetUtcNow();
        var mail = mailOptions.Value;
        var done = outcomes.Select(o => o.Letter.RecipientId).ToHashSet();
        var released = batch.Where(r => !done.Contains(r.RecipientId)).Select(r => r.RecipientId).ToList();
        await using var conn = await db.OpenAsync(CancellationToken.None);
        await using var tx = await db.BeginWriteAsync(conn, CancellationToken.None);
        await MarkSentAsync(conn, tx, outcomes.Where(o => o.Result == LetterResult.Sent).Select(o => o.Letter.RecipientId), run.Id, now);
        foreach (var o in outcomes.Where(o => o.Result != LetterResult.Sent))
        {
            var attempts = o.Letter.Attempts + 1;
            var failed = o.Result == LetterResult.Failed || attempts >= mail.MaxAttempts;
            var retryAt = now.AddSeconds(Math.Min(3600, mail.RetryBaseSeconds * Math.Pow(2, attempts - 1)));
            await conn.ExecuteAsync("""
                UPDATE mailing_recipient
                SET state = @state, attempts = @attempts, last_error = @error, retry_at = @retryAt,
                    claimed_by = CASE WHEN @state = 'pending' THEN NULL ELSE claimed_by END
                WHERE id = @id AND claimed_by = @run AND state = 'sending'
                """, new { id = o.Letter.RecipientId, state = failed ? "failed" : "pending", attempts, error = Truncate(o.Error), retryAt = failed ? (DateTimeOffset?)null : retryAt, run = run.Id }, tx);
        }
        foreach (var chunk in released.Chunk(500))
            await conn.ExecuteAsync($"""
                UPDATE mailing_recipient SET state = 'pending', claimed_by = NULL, claimed_at = NULL
                WHERE {db.Dialect.In("id", "chunk")} AND claimed_by = @run AND state = 'sending'
                """, new { chunk, run = run.Id }, tx);
        await tx.CommitAsync(CancellationToken.None);
    }

    /// <summary>The one "mark sent" write: letters the run still holds as 'sending' become 'sent'.</summary>
    public async Task MarkSentAsync(DbConnection conn, DbTransaction tx, IEnumerable<long> recipientIds, string run, DateTimeOffset now)
    {
        foreach (var chunk in recipientIds.Chunk(500))
            await conn.ExecuteAsync($"""
                UPDATE mailing_recipient SET state = 'sent', sent_at = @now, attempts = attempts + 1, retry_at = NULL
                WHERE {db.Dialect.In("id", "chunk")} AND claimed_by = @run AND state = 'sending'
                """, new { chunk, now, run }, tx);
    }

    /// <summary>Every letter a run still holds goes back to 'pending' for the next claim.</summary>
    public Task ReleaseAllAsync(DbConnection conn, DbTransaction tx, long mailingId, string run) =>
        conn.ExecuteAsync("""
            UPDATE mailing_recipient SET state = 'pending', claimed_by = NULL, claimed_at = NULL
            WHERE mailing_id = @mailingId AND state = 'sending' AND claimed_by = @run
            """, new { mailingId, run }, tx);

    /// <summary>Marks the mailing sent once no letter is pending or in flight; opted-out members' letters are cancelled.</summary>
    public async Task<bool> FinishAsync(MailingToSend mailing, CancellationToken ct)
    {
        var now = clock.GetUtcNow();
        await using var conn = await db.OpenAsync(ct);
        await using var tx = await db.BeginWriteAsync(conn, ct);
        if (mailing.IsCampaign && mailing.TestOf is null)
            await conn.ExecuteAsync("""
                UPDATE mailing_recipient SET state = 'cancelled', last_error = 'The member unsubscribed from campaign mail.'
                WHERE mailing_id = @id AND state = 'pending' AND member_id IN (SELECT member_id FROM mail_opt_out)
                """, new { id = mailing.Id }, tx);
        var finished = await conn.ExecuteAsync("""
            UPDATE mailing SET status = 'sent', finished_at = @now, updated_at = @now
            WHERE id = @id AND status = 'sending'
              AND NOT EXISTS (SELECT 1 FROM mailing_recipient r WHERE r.mailing_id = @id AND r.state IN ('pending', 'sending'))
            """, new { id = mailing.Id, now }, tx);
        await tx.CommitAsync(ct);
        if (finished == 1) log.LogInformation("Mailing {MailingId} finished", mailing.Id);
        return finished == 1;
    }

    private static string? Truncate(string? s) => s is { Length: > 1000 } ? s[..1000] : s;
}
