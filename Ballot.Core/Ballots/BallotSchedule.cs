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
        async Task<bool> Step<T>(long id, string step, IRequest<T> request)
        {
            try
            {
                await mediator.Send(request, ct);
                return true;
            }
            catch (Conflict c)
            {
                log.LogWarning("Ballot {BallotId} is due to {Step} but cannot: {Reason}", id, step, c.Message);
            }
            catch (Exception e) when (e is not OperationCanceledException)
            {
                log.LogError(e, "Ballot {BallotId} failed to {Step}", id, step);
                failures.Add(e);
            }
            return false;
        }
        foreach (var id in due.ToClose)
            if (await Step(id, "close", new CloseBallot.Command(id, "worker"))) closed++;
        foreach (var id in due.ToOpen)
            if (await Step(id, "open", new OpenBallot.Command(id, "worker"))) opened++;
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
