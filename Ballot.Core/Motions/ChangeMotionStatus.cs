using Ballot.Core.Common;
using Ballot.Core.Data;
using Dapper;
using MediatR;

namespace Ballot.Core.Motions;

/// <summary>Prioritise, debate, remit or withdraw a motion. Carried and lost come from recording the vote.</summary>
public static class ChangeMotionStatus
{
    public sealed record Command(long MotionId, string? Status, string? By) : IRequest<MotionView>, IValidatable
    {
        public void Validate(Problems p) => p.Required("status", Status, 20).OneOf("status", Status, MotionStatus.All);
    }

    public sealed class Handler(Db db, TimeProvider clock, IMediator mediator) : IRequestHandler<Command, MotionView>
    {
        public async Task<MotionView> Handle(Command cmd, CancellationToken ct)
        {
            await using (var conn = await db.OpenAsync(ct))
            await using (var tx = await db.BeginWriteAsync(conn, ct))
            {
                var current = await conn.QuerySingleOrDefaultAsync<string>("SELECT status FROM motion WHERE id = @MotionId", new { cmd.MotionId }, tx)
                    ?? throw new NotFound($"No motion with id {cmd.MotionId}.");
                if (cmd.Status is MotionStatus.Carried or MotionStatus.Lost)
                    throw new Conflict($"A motion is {cmd.Status} by recording conference's vote: POST /api/motions/{cmd.MotionId}/vote. " + MotionStatus.Describe(current));
                if (!MotionStatus.AllowedFrom(current).Contains(cmd.Status!))
                    throw new Conflict(current == cmd.Status ? $"The motion is already '{current}'. " + MotionStatus.Describe(current) : MotionStatus.Describe(current));
                var now = clock.GetUtcNow();
                if (cmd.Status is MotionStatus.Withdrawn or MotionStatus.Remitted)
                    // Amendments to a motion that will not be voted on fall with it.
                    await conn.ExecuteAsync("UPDATE amendment SET status = 'withdrawn', decided_at = @now WHERE motion_id = @MotionId AND status = 'submitted'",
                        new { cmd.MotionId, now }, tx);
                await SetAsync(conn, tx, cmd.MotionId, current, cmd.Status!, cmd.By, now);
                await tx.CommitAsync(ct);
            }
            return await mediator.Send(new GetMotion.Query(cmd.MotionId), ct);
        }
    }

    internal static Task SetAsync(System.Data.Common.DbConnection conn, System.Data.Common.DbTransaction tx, long motionId, string from, string to,
        string? by, DateTimeOffset now) =>
        conn.ExecuteAsync("""
            UPDATE motion SET status = @to, updated_at = @now WHERE id = @motionId;
            INSERT INTO motion_status_change (motion_id, from_status, to_status, changed_by, changed_at) VALUES (@motionId, @from, @to, @by, @now);
            """, new { motionId, from, to, by, now }, tx);
}
