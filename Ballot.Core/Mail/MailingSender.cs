using System.Data.Common;
using System.Net.Sockets;
using Ballot.Core.Data;
using Dapper;
using MailKit;
using MailKit.Net.Smtp;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Ballot.Core.Mail;

public enum SendRunOutcome { Finished, MoreLater, NotMine, Cancelled }

/// <summary>
/// Sends one mailing's pending letters: takes the mailing's lease, settles letters a dead run left 'sending', then
/// runs Mail:MaxConnections connection loops. Each loop claims a batch (one transaction), sends it over its one
/// reused session, and marks the outcomes in one transaction. See docs/decisions/0101-exactly-once-letters.md.
/// </summary>
public sealed class MailingSender(
    Db db, TimeProvider clock, IOptions<MailOptions> mailOptions, IOptions<SmtpOptions> smtpOptions, MailKeys keys,
    LetterComposer composer, MailThrottle throttle, ILogger<MailingSender> log)
{
    private readonly MailOptions _mail = mailOptions.Value;
    private readonly SmtpOptions _smtp = smtpOptions.Value;

    private sealed class Claimed
    {
        public long RecipientId { get; init; }
        public long MemberId { get; init; }
        public string Email { get; init; } = "";
        public int Attempts { get; init; }
        public string MembershipNumber { get; init; } = "";
        public string? FirstName { get; init; }
        public string? LastName { get; init; }
        public string? Workplace { get; init; }
        public string? Employer { get; init; }
        public string? Region { get; init; }
        public string? Category { get; init; }
        public DateTimeOffset? ErasedAt { get; init; }
    }

    private enum Result { Sent, Failed, Retry }

    private sealed record Outcome(Claimed R, Result Result, string? Error = null);

    private sealed class Run(string id, MailingToSend mailing, LetterTemplate template, SendJournal journal)
    {
        public string Id { get; } = id;
        public MailingToSend Mailing { get; } = mailing;
        public LetterTemplate Template { get; } = template;
        public SendJournal Journal { get; } = journal;
        public volatile bool Stop;
        public volatile bool Cancelled;
    }

    public static string NewRunId() => $"{Environment.MachineName}-{Environment.ProcessId}-{Guid.NewGuid().ToString("N")[..12]}";

    public async Task<SendRunOutcome> RunAsync(long mailingId, CancellationToken ct)
    {
        await keys.LoadAsync(ct);
        var runId = NewRunId();
        if (!await AcquireLeaseAsync(mailingId, runId, ct)) return SendRunOutcome.NotMine;
        var journal = SendJournal.None;
        try
        {
            log.LogDebug("Mailing {MailingId}: run {Run} took the lease", mailingId, runId);
            await RecoverAsync(mailingId, runId, ct);
            MailingToSend mailing;
            await using (var conn = await db.OpenAsync(ct))
                mailing = await conn.QuerySingleAsync<MailingToSend>("""
                    SELECT id, kind, source, source_id AS SourceId, subject, body_markdown AS BodyMarkdown, reply_to AS ReplyTo,
                           status, test_of AS TestOf
                    FROM mailing WHERE id = @mailingId
                    """, new { mailingId });
            if (mailing.Status != "sending") return SendRunOutcome.Cancelled;
            var template = LetterTemplate.Compile(mailing.Subject, mailing.BodyMarkdown);
            if (!_smtp.UsesPickupFolder) journal = SendJournal.Open(_mail.JournalFolder, runId);
            var run = new Run(runId, mailing, template, journal);

            using var heartbeatStop = new CancellationTokenSource();
            var heartbeat = HeartbeatAsync(run, mailingId, heartbeatStop.Token);
            var loops = Enumerable.Range(0, _mail.MaxConnections).Select(i => ConnectionLoopAsync(run, i, ct)).ToList();
            try
            {
                await Task.WhenAll(loops);
            }
            finally
            {
                await heartbeatStop.CancelAsync();
                await heartbeat;
            }
            if (run.Cancelled) return SendRunOutcome.Cancelled;
            return await FinishAsync(mailing, ct) ? SendRunOutcome.Finished : SendRunOutcome.MoreLater;
        }
        finally
        {
            journal.Dispose();
            try
            {
                // Letters this run still holds (an error or a shutdown stopped it) are settled from its own journal now.
                await SettleAsync(mailingId, runId, CancellationToken.None);
            }
            catch (Exception e) when (e is DbException or IOException)
            {
                log.LogError(e, "Mailing {MailingId}: could not settle run {Run}'s letters; the next run will", mailingId, runId);
            }
            await using var conn = await db.OpenAsync(CancellationToken.None);
            await conn.ExecuteAsync("UPDATE mailing SET lease_owner = NULL, lease_until = NULL WHERE id = @mailingId AND lease_owner = @runId",
                new { mailingId, runId });
        }
    }

    private async Task<bool> AcquireLeaseAsync(long mailingId, string runId, CancellationToken ct)
    {
        var now = clock.GetUtcNow();
        await using var conn = await db.OpenAsync(ct);
        await using var tx = await db.BeginWriteAsync(conn, ct);
        var n = await conn.ExecuteAsync("""
            UPDATE mailing SET lease_owner = @runId, lease_until = @until
            WHERE id = @mailingId AND status = 'sending' AND (lease_owner IS NULL OR lease_until < @now)
            """, new { mailingId, runId, now, until = now.AddSeconds(_mail.LeaseSeconds) }, tx);
        await tx.CommitAsync(ct);
        return n == 1;
    }

    /// <summary>Letters left 'sending' by runs whose lease lapsed (they died): settled from their journals.</summary>
    private async Task RecoverAsync(long mailingId, string runId, CancellationToken ct)
    {
        List<string> dead;
        await using (var conn = await db.OpenAsync(ct))
            dead = (await conn.QueryAsync<string>(
                "SELECT DISTINCT claimed_by FROM mailing_recipient WHERE mailing_id = @mailingId AND state = 'sending' AND claimed_by <> @runId",
                new { mailingId, runId })).ToList();
        foreach (var owner in dead)
        {
            var settled = await SettleAsync(mailingId, owner, ct);
            log.LogWarning("Mailing {MailingId}: settled {Count} letters left by stopped run {Run}: {Sent} had reached the server, the rest go again",
                mailingId, settled.Total, owner, settled.Sent);
        }
    }

    private async Task<(int Total, int Sent)> SettleAsync(long mailingId, string owner, CancellationToken ct)
    {
        var delivered = SendJournal.Delivered(_mail.JournalFolder, owner);
        var now = clock.GetUtcNow();
        await using var conn = await db.OpenAsync(ct);
        await using var tx = await db.BeginWriteAsync(conn, ct);
        var claimed = (await conn.QueryAsync<long>(
            "SELECT id FROM mailing_recipient WHERE mailing_id = @mailingId AND state = 'sending' AND claimed_by = @owner",
            new { mailingId, owner }, tx)).ToList();
        var sent = claimed.Where(delivered.Contains).ToList();
        foreach (var chunk in sent.Chunk(500))
            await conn.ExecuteAsync($"""
                UPDATE mailing_recipient SET state = 'sent', sent_at = @now, attempts = attempts + 1, retry_at = NULL
                WHERE {In("id", "chunk")} AND state = 'sending' AND claimed_by = @owner
                """, new { chunk, now, owner }, tx);
        await conn.ExecuteAsync("""
            UPDATE mailing_recipient SET state = 'pending', claimed_by = NULL, claimed_at = NULL
            WHERE mailing_id = @mailingId AND state = 'sending' AND claimed_by = @owner
            """, new { mailingId, owner }, tx);
        await tx.CommitAsync(ct);
        SendJournal.Delete(_mail.JournalFolder, owner);
        return (claimed.Count, sent.Count);
    }

    private async Task HeartbeatAsync(Run run, long mailingId, CancellationToken stop)
    {
        var every = TimeSpan.FromSeconds(Math.Max(0.5, _mail.LeaseSeconds / 3.0));
        while (!stop.IsCancellationRequested)
        {
            try { await Task.Delay(every, clock, stop); }
            catch (OperationCanceledException) { return; }
            try
            {
                var now = clock.GetUtcNow();
                await using var conn = await db.OpenAsync(CancellationToken.None);
                await using var tx = await db.BeginWriteAsync(conn, CancellationToken.None);
                var renewed = await conn.ExecuteAsync("UPDATE mailing SET lease_until = @until WHERE id = @mailingId AND lease_owner = @run",
                    new { mailingId, run = run.Id, until = now.AddSeconds(_mail.LeaseSeconds) }, tx);
                var status = await conn.ExecuteScalarAsync<string>("SELECT status FROM mailing WHERE id = @mailingId", new { mailingId }, tx);
                await tx.CommitAsync(CancellationToken.None);
                if (renewed == 0)
                {
                    log.LogError("Mailing {MailingId}: run {Run} lost its lease; stopping", mailingId, run.Id);
                    run.Stop = true;
                }
                if (status == "cancelled") run.Stop = run.Cancelled = true;
            }
            catch (DbException e)
            {
                log.LogWarning(e, "Mailing {MailingId}: could not renew the lease", mailingId);
            }
        }
    }

    private async Task<List<Claimed>> ClaimAsync(Run run, CancellationToken ct)
    {
        var now = clock.GetUtcNow();
        var optOut = run.Mailing.IsCampaign && run.Mailing.TestOf is null
            ? "AND NOT EXISTS (SELECT 1 FROM mail_opt_out o WHERE o.member_id = r.member_id)" : "";
        var skipLocked = db.Dialect.IsSqlite ? "" : "FOR UPDATE SKIP LOCKED";
        await using var conn = await db.OpenAsync(ct);
        await using var tx = await db.BeginWriteAsync(conn, ct);
        var ids = (await conn.QueryAsync<long>($"""
            UPDATE mailing_recipient SET state = 'sending', claimed_by = @run, claimed_at = @now
            WHERE id IN (
                SELECT r.id FROM mailing_recipient r
                WHERE r.mailing_id = @mailingId AND r.state = 'pending' AND (r.retry_at IS NULL OR r.retry_at <= @now) {optOut}
                ORDER BY r.id LIMIT @limit {skipLocked})
            RETURNING id
            """, new { run = run.Id, now, mailingId = run.Mailing.Id, limit = _mail.BatchSize }, tx)).ToList();
        if (ids.Count == 0)
        {
            await tx.CommitAsync(ct);
            return [];
        }
        var rows = (await conn.QueryAsync<Claimed>($"""
            SELECT r.id AS RecipientId, r.member_id AS MemberId, r.email AS Email, r.attempts AS Attempts,
                   m.membership_number AS MembershipNumber, m.first_name AS FirstName, m.last_name AS LastName,
                   w.name AS Workplace, w.employer AS Employer, w.region AS Region, c.label AS Category, m.erased_at AS ErasedAt
            FROM mailing_recipient r
            JOIN member m ON m.id = r.member_id
            JOIN workplace w ON w.id = m.workplace_id
            LEFT JOIN member_category c ON c.code = m.category
            WHERE {In("r.id", "ids")}
            """, new { ids = ids.ToArray() }, tx)).OrderBy(r => r.RecipientId).ToList();
        await tx.CommitAsync(ct);
        return rows;
    }

    private async Task ConnectionLoopAsync(Run run, int index, CancellationToken ct)
    {
        await Task.Yield();
        await throttle.Connections.WaitAsync(ct);
        ILetterTransport? transport = null;
        try
        {
            while (!run.Stop)
            {
                var batch = await ClaimAsync(run, ct);
                log.LogDebug("Mailing {MailingId}: connection {Index} claimed {Count}", run.Mailing.Id, index, batch.Count);
                if (batch.Count == 0) return;
                var outcomes = new List<Outcome>(batch.Count);
                try
                {
                    foreach (var r in batch)
                    {
                        if (run.Stop) break;
                        if (r.ErasedAt is not null)
                        {
                            outcomes.Add(new Outcome(r, Result.Failed, "The member was erased from the register."));
                            continue;
                        }
                        var now = clock.GetUtcNow();
                        MimeKit.MimeMessage message;
                        try
                        {
                            message = composer.Compose(run.Mailing, run.Template, Recipient(r), r.RecipientId, now,
                                run.Mailing.TestOf is null ? "" : "[TEST] ");
                        }
                        catch (Ballot.Core.Common.ValidationFailed e)
                        {
                            outcomes.Add(new Outcome(r, Result.Failed, e.Errors.Values.SelectMany(v => v).FirstOrDefault() ?? e.Message));
                            continue;
                        }
                        catch (Exception e) when (e is not OperationCanceledException)
                        {
                            // Composing touches no connection, so whatever fails here (MimeKit refusing an address
                            // imported before validation was as strict, a template fault) fails again every time:
                            // this letter fails for good and the rest of the mailing goes on.
                            log.LogWarning("Mailing {MailingId}: letter {RecipientId} cannot be composed: {Error}", run.Mailing.Id, r.RecipientId, e.Message);
                            outcomes.Add(new Outcome(r, Result.Failed, "The letter cannot be composed: " + e.Message));
                            continue;
                        }
                        await throttle.PaceAsync(ct);
                        transport ??= await OpenAsync(run, ct);
                        try
                        {
                            await transport.SendAsync(message, r.RecipientId, run.Journal, ct);
                            outcomes.Add(new Outcome(r, Result.Sent));
                        }
                        catch (SmtpCommandException e)
                        {
                            run.Journal.Refused(r.RecipientId);
                            var reply = $"{(int)e.StatusCode} {e.Message}";
                            outcomes.Add(new Outcome(r, (int)e.StatusCode >= 500 ? Result.Failed : Result.Retry, reply));
                            if (!transport.IsConnected) { await transport.DisposeAsync(); transport = null; }
                        }
                        catch (Exception e) when (IsConnectionError(e))
                        {
                            // The session broke. A letter whose end-of-data dot was written counts as sent (the
                            // server takes a complete DATA); one that was not goes again with the next session.
                            var delivered = transport is SmtpTransport s && s.DataSentFor(r.RecipientId);
                            outcomes.Add(delivered
                                ? new Outcome(r, Result.Sent)
                                : new Outcome(r, Result.Retry, "Connection lost: " + e.Message));
                            log.LogWarning("Mailing {MailingId}: connection {Index} lost ({Error}); reconnecting", run.Mailing.Id, index, e.Message);
                            await transport.DisposeAsync();
                            transport = null;
                        }
                    }
                }
                finally
                {
                    await CommitAsync(run, batch, outcomes);
                }
            }
        }
        finally
        {
            if (transport is not null) await transport.DisposeAsync();
            throttle.Connections.Release();
        }
    }

    private static bool IsConnectionError(Exception e) =>
        e is IOException or SocketException or SmtpProtocolException or ServiceNotConnectedException or TimeoutException
        || e is OperationCanceledException { InnerException: TimeoutException };

    /// <summary>Opens a session, retrying with back-off (0.5 s doubling) before giving up and letting the job fail.</summary>
    private async Task<ILetterTransport> OpenAsync(Run run, CancellationToken ct)
    {
        var delay = TimeSpan.FromMilliseconds(500);
        for (var attempt = 1; ; attempt++)
        {
            try
            {
                return await LetterTransports.OpenAsync(_smtp, _mail, ct);
            }
            catch (Exception e) when ((IsConnectionError(e) || e is SmtpCommandException) && attempt < 6 && !run.Stop)
            {
                log.LogWarning("Mailing {MailingId}: cannot open an SMTP session to {Host}:{Port} ({Error}); retrying in {Delay} s",
                    run.Mailing.Id, _smtp.Host, _smtp.Port, e.Message, delay.TotalSeconds);
                await Task.Delay(delay, ct);
                delay *= 2;
            }
        }
    }

    private static LetterRecipient Recipient(Claimed r) => new()
    {
        MemberId = r.MemberId, MembershipNumber = r.MembershipNumber, FirstName = r.FirstName, LastName = r.LastName,
        Email = r.Email, Workplace = r.Workplace, Employer = r.Employer, Region = r.Region, Category = r.Category,
    };

    /// <summary>One transaction per batch: sent, failed, retried later, and the unsent rest handed back.</summary>
    private async Task CommitAsync(Run run, List<Claimed> batch, List<Outcome> outcomes)
    {
        var now = clock.GetUtcNow();
        var done = outcomes.Select(o => o.R.RecipientId).ToHashSet();
        var released = batch.Where(r => !done.Contains(r.RecipientId)).Select(r => r.RecipientId).ToList();
        await using var conn = await db.OpenAsync(CancellationToken.None);
        await using var tx = await db.BeginWriteAsync(conn, CancellationToken.None);
        foreach (var chunk in outcomes.Where(o => o.Result == Result.Sent).Select(o => o.R.RecipientId).Chunk(500))
            await conn.ExecuteAsync($"""
                UPDATE mailing_recipient SET state = 'sent', sent_at = @now, attempts = attempts + 1, retry_at = NULL
                WHERE {In("id", "chunk")} AND claimed_by = @run AND state = 'sending'
                """, new { chunk, now, run = run.Id }, tx);
        foreach (var o in outcomes.Where(o => o.Result != Result.Sent))
        {
            var attempts = o.R.Attempts + 1;
            var failed = o.Result == Result.Failed || attempts >= _mail.MaxAttempts;
            var retryAt = now.AddSeconds(Math.Min(3600, _mail.RetryBaseSeconds * Math.Pow(2, attempts - 1)));
            await conn.ExecuteAsync("""
                UPDATE mailing_recipient
                SET state = @state, attempts = @attempts, last_error = @error, retry_at = @retryAt,
                    claimed_by = CASE WHEN @state = 'pending' THEN NULL ELSE claimed_by END
                WHERE id = @id AND claimed_by = @run AND state = 'sending'
                """, new { id = o.R.RecipientId, state = failed ? "failed" : "pending", attempts, error = Truncate(o.Error), retryAt = failed ? (DateTimeOffset?)null : retryAt, run = run.Id }, tx);
        }
        foreach (var chunk in released.Chunk(500))
            await conn.ExecuteAsync($"""
                UPDATE mailing_recipient SET state = 'pending', claimed_by = NULL, claimed_at = NULL
                WHERE {In("id", "chunk")} AND claimed_by = @run AND state = 'sending'
                """, new { chunk, run = run.Id }, tx);
        await tx.CommitAsync(CancellationToken.None);
    }

    /// <summary>Dapper expands a list into IN (...) on SQLite; Npgsql takes the list as one array parameter.</summary>
    private string In(string column, string parameter) =>
        db.Dialect.IsSqlite ? $"{column} IN @{parameter}" : $"{column} = ANY(@{parameter})";

    private static string? Truncate(string? s) => s is { Length: > 1000 } ? s[..1000] : s;

    /// <summary>Marks the mailing sent once no letter is pending or in flight; opted-out members' letters are cancelled.</summary>
    private async Task<bool> FinishAsync(MailingToSend mailing, CancellationToken ct)
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
}
