using System.Data.Common;
using Ballot.Core.Common;
using Ballot.Core.Mail.Sending;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using MimeKit;

namespace Ballot.Core.Mail;

public enum SendRunOutcome { Finished, MoreLater, NotMine, Cancelled }

/// <summary>
/// Sends one mailing's pending letters: takes the mailing's lease, settles letters a dead run left 'sending', then
/// runs Mail:MaxConnections connection loops. Each loop claims a batch (one transaction), sends it over its one
/// reused session, and marks the outcomes in one transaction. The machinery is in <c>Mail/Sending/</c>; see
/// docs/decisions/0101-exactly-once-letters.md.
/// </summary>
public sealed class MailingSender(
    TimeProvider clock, IOptions<MailOptions> mailOptions, IOptions<SmtpOptions> smtpOptions, MailKeys keys,
    LetterComposer composer, MailThrottle throttle, MailingLease lease, SendRecovery recovery, RecipientBatches batches,
    ILogger<MailingSender> log)
{
    private readonly MailOptions _mail = mailOptions.Value;
    private readonly SmtpOptions _smtp = smtpOptions.Value;

    public async Task<SendRunOutcome> RunAsync(long mailingId, CancellationToken ct)
    {
        await keys.LoadAsync(ct);
        var runId = SendRun.NewId();
        if (!await lease.AcquireAsync(mailingId, runId, ct)) return SendRunOutcome.NotMine;
        var journal = SendJournal.None;
        try
        {
            log.LogDebug("Mailing {MailingId}: run {Run} took the lease", mailingId, runId);
            await recovery.RecoverAsync(mailingId, runId, ct);
            var mailing = await batches.LoadMailingAsync(mailingId, ct);
            if (mailing.Status != "sending") return SendRunOutcome.Cancelled;
            var template = LetterTemplate.Compile(mailing.Subject, mailing.BodyMarkdown);
            if (!_smtp.UsesPickupFolder) journal = SendJournal.Open(_mail.JournalFolder, runId);
            var run = new SendRun(runId, mailing, template, journal);

            using var heartbeatStop = new CancellationTokenSource();
            var heartbeat = lease.HeartbeatAsync(run, heartbeatStop.Token);
            try
            {
                await Task.WhenAll(Enumerable.Range(0, _mail.MaxConnections).Select(i => ConnectionLoopAsync(run, i, ct)));
            }
            finally
            {
                await heartbeatStop.CancelAsync();
                await heartbeat;
            }
            if (run.Cancelled) return SendRunOutcome.Cancelled;
            return await batches.FinishAsync(mailing, ct) ? SendRunOutcome.Finished : SendRunOutcome.MoreLater;
        }
        finally
        {
            journal.Dispose();
            try
            {
                // Letters this run still holds (an error or a shutdown stopped it) are settled from its own journal now.
                await recovery.SettleAsync(mailingId, runId, CancellationToken.None);
            }
            catch (Exception e) when (e is DbException or IOException)
            {
                log.LogError(e, "Mailing {MailingId}: could not settle run {Run}'s letters; the next run will", mailingId, runId);
            }
            await lease.ReleaseAsync(mailingId, runId);
        }
    }

    private async Task ConnectionLoopAsync(SendRun run, int index, CancellationToken ct)
    {
        await Task.Yield();
        await throttle.Connections.WaitAsync(ct);
        var session = new LetterSession(_smtp, _mail, run, index, log);
        try
        {
            while (!run.Stop)
            {
                var batch = await batches.ClaimAsync(run, ct);
                log.LogDebug("Mailing {MailingId}: connection {Index} claimed {Count}", run.Mailing.Id, index, batch.Count);
                if (batch.Count == 0) return;
                var outcomes = new List<LetterOutcome>(batch.Count);
                try
                {
                    foreach (var letter in batch.TakeWhile(_ => !run.Stop))
                        outcomes.Add(await SendOneAsync(run, letter, session, ct));
                }
                finally
                {
                    await batches.CommitAsync(run, batch, outcomes);
                }
            }
        }
        finally
        {
            await session.DisposeAsync();
            throttle.Connections.Release();
        }
    }

    /// <summary>Composes and sends one letter, and sorts what became of it: sent, failed for good, or to retry.</summary>
    private async Task<LetterOutcome> SendOneAsync(SendRun run, ClaimedLetter letter, LetterSession session, CancellationToken ct)
    {
        if (letter.ErasedAt is not null) return new(letter, LetterResult.Failed, "The member was erased from the register.");
        MimeMessage message;
        try
        {
            message = composer.Compose(run.Mailing, run.Template, letter.ToRecipient(), letter.RecipientId, clock.GetUtcNow(),
                run.Mailing.TestOf is null ? "" : "[TEST] ");
        }
        catch (ValidationFailed e)
        {
            return new(letter, LetterResult.Failed, e.Errors.Values.SelectMany(v => v).FirstOrDefault() ?? e.Message);
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            // Composing touches no connection, so whatever fails here (MimeKit refusing an address imported before
            // validation was as strict, a template fault) fails again every time: this letter fails for good and the
            // rest of the mailing goes on.
            log.LogWarning("Mailing {MailingId}: letter {RecipientId} cannot be composed: {Error}", run.Mailing.Id, letter.RecipientId, e.Message);
            return new(letter, LetterResult.Failed, "The letter cannot be composed: " + e.Message);
        }
        await throttle.PaceAsync(ct);
        return await session.SendAsync(message, letter, ct);
    }
}
