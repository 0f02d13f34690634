using Ballot.Core.Common;
using MediatR;
using Microsoft.Extensions.Logging;

namespace Ballot.Core.Ballots;

/// <summary>
/// The worker's minutely ballot job (no Hangfire types here): close ballots whose closing time has passed, open drafts
/// whose opening time has come, and queue due reminders, each step one use case sent through the mediator. Every
/// step is idempotent, so running the job twice changes nothing.
/// </summary>
public sealed class BallotSchedule(IMediator mediator, ILogger<BallotSchedule> log)
{
    public sealed record Summary(int Opened, int Closed, int Reminders);

    public async Task<Summary> RunDueAsync(CancellationToken ct = default)
    {
        var due = await mediator.Send(new DueBallots.Query(), ct);
        int opened = 0, closed = 0;
        var failures = new List<Exception>();
        // Closes first: a ballot that cannot open must never keep another from closing and being counted. Each ballot
        // on its own: one failure is logged and the rest go on; the job still fails at the end so Hangfire records it
        // and retries.
        foreach (var id in due.ToClose)
        {
            try { await mediator.Send(new CloseBallot.Command(id, "worker"), ct); closed++; }
            catch (Conflict c) { log.LogWarning("Ballot {BallotId} is due to close but cannot: {Reason}", id, c.Message); }
            catch (Exception e) when (e is not OperationCanceledException)
            {
                log.LogError(e, "Ballot {BallotId} failed to close", id);
                failures.Add(e);
            }
        }
        foreach (var id in due.ToOpen)
        {
            try { await mediator.Send(new OpenBallot.Command(id, "worker"), ct); opened++; }
            catch (Conflict c) { log.LogWarning("Ballot {BallotId} is due to open but cannot: {Reason}", id, c.Message); }
            catch (Exception e) when (e is not OperationCanceledException)
            {
                log.LogError(e, "Ballot {BallotId} failed to open", id);
                failures.Add(e);
            }
        }
        var reminders = 0;
        try { reminders = await mediator.Send(new SendReminders.Command(), ct); }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            log.LogError(e, "Queuing due reminders failed");
            failures.Add(e);
        }
        if (failures.Count > 0)
            throw new AggregateException($"{failures.Count} ballot step(s) failed; the others were done.", failures);
        return new Summary(opened, closed, reminders);
    }
}
