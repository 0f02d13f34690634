using Ballot.Core.Common;
using Ballot.Core.Data;
using Dapper;
using MediatR;
using Microsoft.Extensions.Logging;

namespace Ballot.Core.Ballots;

/// <summary>
/// What the worker does every minute: open drafts whose opening time has come, close ballots whose closing time has
/// passed, and queue due reminders. Each step is idempotent, so running it twice changes nothing.
/// </summary>
public static class RunDueWork
{
    public sealed record Summary(int Opened, int Closed, int Reminders);

    public sealed record Command : IRequest<Summary>;

    public sealed class Handler(Db db, TimeProvider clock, IMediator mediator, ILogger<Command> log) : IRequestHandler<Command, Summary>
    {
        public async Task<Summary> Handle(Command cmd, CancellationToken ct)
        {
            var now = clock.GetUtcNow();
            List<long> toOpen, toClose;
            await using (var conn = await db.OpenAsync(ct))
            {
                toOpen = (await conn.QueryAsync<long>("SELECT id FROM ballot WHERE status = 'draft' AND opens_at <= @now AND closes_at > @now ORDER BY id", new { now })).ToList();
                toClose = (await conn.QueryAsync<long>("SELECT id FROM ballot WHERE status = 'open' AND closes_at <= @now ORDER BY id", new { now })).ToList();
            }
            int opened = 0, closed = 0;
            var failures = new List<Exception>();
            // Closes first: a ballot that cannot open must never keep another from closing and being counted.
            // Each ballot on its own: one failure is logged and the rest go on; the job still fails at the end so
            // Hangfire records it and retries.
            foreach (var id in toClose)
            {
                try { await mediator.Send(new CloseBallot.Command(id, "worker"), ct); closed++; }
                catch (Conflict c) { log.LogWarning("Ballot {BallotId} is due to close but cannot: {Reason}", id, c.Message); }
                catch (Exception e) when (e is not OperationCanceledException)
                {
                    log.LogError(e, "Ballot {BallotId} failed to close", id);
                    failures.Add(e);
                }
            }
            foreach (var id in toOpen)
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
}

/// <summary>The entry point the worker's recurring job calls (no Hangfire types here).</summary>
public sealed class BallotSchedule(IMediator mediator)
{
    public Task<RunDueWork.Summary> RunDueAsync() => mediator.Send(new RunDueWork.Command());
}
