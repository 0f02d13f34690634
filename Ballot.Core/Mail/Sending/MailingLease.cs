using System.Data.Common;
using Ballot.Core.Data;
using Dapper;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Ballot.Core.Mail.Sending;

/// <summary>
/// The lease that makes one run the only sender of a mailing: taken when free or lapsed, renewed by a heartbeat every
/// third of Mail:LeaseSeconds (which also notices a cancelled mailing), and given back when the run ends.
/// </summary>
public sealed class MailingLease(Db db, TimeProvider clock, IOptions<MailOptions> mailOptions, ILogger<MailingLease> log)
{
    private readonly MailOptions _mail = mailOptions.Value;

    public async Task<bool> AcquireAsync(long mailingId, string runId, CancellationToken ct)
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

    /// <summary>Renews the lease until <paramref name="stop"/>; sets the run's Stop (lease lost) or Cancelled flags.</summary>
    public async Task HeartbeatAsync(SendRun run, CancellationToken stop)
    {
        var mailingId = run.Mailing.Id;
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

    public async Task ReleaseAsync(long mailingId, string runId)
    {
        await using var conn = await db.OpenAsync(CancellationToken.None);
        await conn.ExecuteAsync("UPDATE mailing SET lease_owner = NULL, lease_until = NULL WHERE id = @mailingId AND lease_owner = @runId",
            new { mailingId, runId });
    }
}
