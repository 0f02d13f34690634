using Ballot.Core.Data;
using Dapper;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Ballot.Core.Mail.Sending;

/// <summary>
/// Settles letters a run left 'sending' from that run's send journal: those whose end-of-data dot reached the server
/// are sent, the rest go back to 'pending'. See docs/decisions/0101-exactly-once-letters.md.
/// </summary>
public sealed class SendRecovery(Db db, TimeProvider clock, IOptions<MailOptions> mailOptions, RecipientBatches batches, ILogger<SendRecovery> log)
{
    private readonly MailOptions _mail = mailOptions.Value;

    /// <summary>Letters left 'sending' by runs whose lease lapsed (they died): settled from their journals.</summary>
    public async Task RecoverAsync(long mailingId, string runId, CancellationToken ct)
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

    public async Task<(int Total, int Sent)> SettleAsync(long mailingId, string owner, CancellationToken ct)
    {
        var delivered = SendJournal.Delivered(_mail.JournalFolder, owner);
        var now = clock.GetUtcNow();
        await using var conn = await db.OpenAsync(ct);
        await using var tx = await db.BeginWriteAsync(conn, ct);
        var claimed = (await conn.QueryAsync<long>(
            "SELECT id FROM mailing_recipient WHERE mailing_id = @mailingId AND state = 'sending' AND claimed_by = @owner",
            new { mailingId, owner }, tx)).ToList();
        var sent = claimed.Where(delivered.Contains).ToList();
        await batches.MarkSentAsync(conn, tx, sent, owner, now);
        await batches.ReleaseAllAsync(conn, tx, mailingId, owner);
        await tx.CommitAsync(ct);
        SendJournal.Delete(_mail.JournalFolder, owner);
        return (claimed.Count, sent.Count);
    }
}
