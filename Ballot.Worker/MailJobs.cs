using System.Collections.Concurrent;
using Ballot.Core.Mail;
using Hangfire;

namespace Ballot.Worker;

/// <summary>
/// The mail jobs. The recurring poll finds mailings with letters due and enqueues one send job per mailing; the send
/// job holds the mailing's lease in the database while it runs, so a second copy of it (a Hangfire retry, a poll that
/// raced it, another worker) returns at once. Both are safe to run twice.
/// </summary>
public sealed class MailJobs(MailDispatch dispatch, MailingSender sender, IBackgroundJobClient jobs, ILogger<MailJobs> log)
{
    private static readonly ConcurrentDictionary<long, DateTime> Enqueued = new();

    // No retry and no lock: the next poll, seconds later, is the retry, and two polls at once only find the same work
    // (a lock held by a killed worker would stop polling on PostgreSQL storage until it timed out).
    [AutomaticRetry(Attempts = 0)]
    public async Task DispatchDueMailings(CancellationToken ct)
    {
        foreach (var id in await dispatch.DueAsync(ct))
        {
            // A send job enqueued moments ago may not have taken its lease yet; do not queue it twice.
            if (Enqueued.TryGetValue(id, out var at) && DateTime.UtcNow - at < TimeSpan.FromSeconds(10)) continue;
            Enqueued[id] = DateTime.UtcNow;
            jobs.Enqueue<MailJobs>(j => j.SendMailing(id, CancellationToken.None));
        }
    }

    [AutomaticRetry(Attempts = 3, DelaysInSeconds = [5, 30, 120])]
    public async Task SendMailing(long mailingId, CancellationToken ct)
    {
        var outcome = await sender.RunAsync(mailingId, ct);
        Enqueued.TryRemove(mailingId, out _);
        log.LogInformation("Mailing {MailingId}: send run ended: {Outcome}", mailingId, outcome);
    }
}
