using Ballot.Core.Common;
using Ballot.Core.Data;
using Dapper;
using MediatR;
using Microsoft.Extensions.Logging;
using Ballot.Core.Ballots.Count;

namespace Ballot.Core.Ballots;

/// <summary>
/// Closes a ballot and adds up its sealed papers per constituency, question and option (ADR 0904), from the running
/// sums the vote path kept (ADR 0907), which then go. Nothing is decrypted
/// here: the ballot stays 'closed' with no result until t trustees have sent their partial decryptions of the sums
/// (<see cref="SubmitDecryption"/>), which count it.
/// </summary>
public static class CloseBallot
{
    public const string AwaitingTrustees = "The ballot is closed; the count waits for the trustees to decrypt the sums.";

    /// <param name="Early">the executive closing a consultative ballot before its closing time (never an industrial-action one).</param>
    public sealed record Command(long Id, string Actor, bool Early = false) : IRequest<BallotView>;

    public sealed class Handler(Db db, TimeProvider clock, ILogger<Handler> log) : IRequestHandler<Command, BallotView>
    {
        public async Task<BallotView> Handle(Command cmd, CancellationToken ct)
        {
            var now = clock.GetUtcNow();
            await using var conn = await db.OpenAsync(ct);
            await using var tx = await db.BeginWriteAsync(conn, ct);
            var ballot = await BallotRow.LoadAsync(conn, cmd.Id, tx);
            if (ballot.Status != "open") throw new Conflict($"The ballot is {ballot.Status}; only an open ballot can be closed.");
            if (now < ballot.ClosesAt)
            {
                if (!cmd.Early) throw new Conflict($"The ballot closes on {UnionTime.Shared.When(ballot.ClosesAt)}.");
                if (ballot.IsIndustrialAction)
                    throw new Conflict("An industrial-action ballot cannot close before the date on its voting papers.");
            }
            var closedAt = now < ballot.ClosesAt ? now : ballot.ClosesAt;
            // Updating the row waits (PostgreSQL) for every vote batch holding it FOR SHARE, so the count sees all of them.
            // The status guard: on PostgreSQL a concurrent close that read 'open' too waits here, then changes nothing.
            var changed = await conn.ExecuteAsync("UPDATE ballot SET status = 'closed', closed_at = @closedAt, updated_at = @now WHERE id = @id AND status = 'open'",
                new { closedAt = closedAt, now = now, id = ballot.Id }, tx);
            if (changed != 1) throw new Conflict("The ballot was closed by another request at the same time.");
            await Audit.AppendAsync(conn, tx, ballot.Id, "closed", cmd.Actor, new { closedAt, early = now < ballot.ClosesAt }, now);

            // Reminders stop at close: any not yet handed to the mail worker are cancelled.
            var cancelled = await conn.ExecuteAsync("""
                UPDATE mailing_recipient SET state = 'cancelled'
                WHERE state = 'pending' AND mailing_id IN (SELECT id FROM mailing WHERE source = 'ballot' AND source_id = @id AND purpose = 'reminder')
                """, new { id = ballot.Id }, tx);
            await conn.ExecuteAsync("""
                UPDATE mailing SET status = 'cancelled', updated_at = @now
                WHERE source = 'ballot' AND source_id = @id AND purpose = 'reminder' AND status IN ('draft', 'approved', 'scheduled')
                """, new { id = ballot.Id, now = now }, tx);
            if (cancelled > 0)
                await Audit.AppendAsync(conn, tx, ballot.Id, "reminders-cancelled", cmd.Actor, new { letters = cancelled }, now);

            var sums = await PaperSums.ComputeAsync(conn, tx, ballot.Id, ballot.Def.Questions, log);
            await PaperSums.SaveAsync(conn, tx, ballot.Id, sums);
            await PaperSums.DeleteRunningSumsAsync(conn, tx, ballot.Id);
            var (papersCast, trackersHash) = await PaperSums.HashTrackersAsync(conn, tx, ballot.Id);
            await Audit.AppendAsync(conn, tx, ballot.Id, "summed", cmd.Actor,
                new { papers = papersCast, receiptsHash = trackersHash, sums = sums.Count, sumsHash = PaperSums.HashOf(sums) }, now);
            var view = await (await BallotRow.LoadAsync(conn, ballot.Id, tx)).ToViewAsync(conn, tx);
            await tx.CommitAsync(ct);
            return view;
        }
    }
}
