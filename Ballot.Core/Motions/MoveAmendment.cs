using Ballot.Core.Common;
using Ballot.Core.Data;
using Dapper;
using MediatR;

namespace Ballot.Core.Motions;

/// <summary>
/// Records an amendment to a motion. It must apply to the motion's text as it stands now (the words to delete, or
/// the words to insert after or before, are in it); it is applied when conference carries it.
/// </summary>
public static class MoveAmendment
{
    public sealed record Command(long MotionId, Party? Mover, string? Kind, string? Words, string? InsertWords, string? Place, string? Anchor,
        int? Occurrence, string? By) : IRequest<AmendmentView>, IValidatable
    {
        public void Validate(Problems p)
        {
            if (Mover is null) p.Add("mover", "mover is required: its kind (branch, division, member or executive) and name.");
            CreateMotion.CheckParty(p, "mover", Mover);
            p.Required("kind", Kind, 20).OneOf("kind", Kind, AmendmentSpec.Kinds);
            if (string.IsNullOrEmpty(Words))
                p.Add("words", Kind switch
                {
                    "delete" => "words is required: the words to delete.",
                    "replace" => "words is required: the whole text that replaces the motion's.",
                    _ => "words is required: the words to put in.",
                });
            else if (Words.Length > 200_000) p.Add("words", "words must be at most 200000 characters.");
            if (Kind == "insert")
            {
                if (Place is not ("after" or "before")) p.Add("place", "place is required for an insertion: after or before.");
                if (string.IsNullOrEmpty(Anchor)) p.Add("anchor", "anchor is required for an insertion: the words the new ones go after or before.");
            }
            else
            {
                if (Place is not null) p.Add("place", "place applies only to an insertion.");
                if (Anchor is not null) p.Add("anchor", "anchor applies only to an insertion.");
            }
            if (InsertWords is not null && Kind != "delete") p.Add("insertWords", "insertWords applies only to a deletion (delete … and insert …).");
            if (Occurrence is not null && Kind is not ("delete" or "insert")) p.Add("occurrence", "occurrence applies only to a deletion or an insertion.");
            if (Occurrence is < 1) p.Add("occurrence", "occurrence must be 1 or more.");
        }

        public AmendmentSpec Spec => new(Kind!, Words, InsertWords, Place, Anchor, Occurrence);
    }

    public sealed class Handler(Db db, TimeProvider clock) : IRequestHandler<Command, AmendmentView>
    {
        public async Task<AmendmentView> Handle(Command cmd, CancellationToken ct)
        {
            await using var conn = await db.OpenAsync(ct);
            await using var tx = await db.BeginWriteAsync(conn, ct);
            var motion = await conn.QuerySingleOrDefaultAsync<MotionRow>(MotionRow.Select + " WHERE m.id = @MotionId", new { cmd.MotionId }, tx)
                ?? throw new NotFound($"No motion with id {cmd.MotionId}.");
            if (!MotionStatus.TakesAmendments(motion.Status))
                throw new Conflict($"The motion is '{motion.Status}': amendments can be moved only until conference decides it.");
            try
            {
                AmendmentText.Apply(motion.Text, cmd.Spec);
            }
            catch (AmendmentDoesNotApply e)
            {
                throw new ValidationFailed(new Dictionary<string, string[]> { [e.Field] = [e.Message] }, "The amendment cannot be applied to the motion: " + e.Message);
            }
            var number = await conn.ExecuteScalarAsync<int>("SELECT COALESCE(MAX(number), 0) + 1 FROM amendment WHERE motion_id = @MotionId", new { cmd.MotionId }, tx);
            var now = clock.GetUtcNow();
            var id = await conn.ExecuteScalarAsync<long>("""
                INSERT INTO amendment (motion_id, number, mover_kind, mover_name, kind, words, insert_words, place, anchor, occurrence, status, created_at)
                VALUES (@MotionId, @number, @moverKind, @moverName, @Kind, @Words, @InsertWords, @Place, @Anchor, @Occurrence, 'submitted', @now)
                RETURNING id
                """, new { cmd.MotionId, number, moverKind = cmd.Mover!.Kind, moverName = cmd.Mover.Name.Trim(), cmd.Kind, cmd.Words, cmd.InsertWords, cmd.Place, cmd.Anchor, cmd.Occurrence, now }, tx);
            await tx.CommitAsync(ct);
            var row = await conn.QuerySingleAsync<AmendmentRow>(AmendmentRow.Select + " WHERE a.id = @id", new { id });
            return row.ToView(null);
        }
    }
}

public static class WithdrawAmendment
{
    public sealed record Command(long AmendmentId, string? By) : IRequest<MotionView>;

    public sealed class Handler(Db db, TimeProvider clock, IMediator mediator) : IRequestHandler<Command, MotionView>
    {
        public async Task<MotionView> Handle(Command cmd, CancellationToken ct)
        {
            long motionId;
            await using (var conn = await db.OpenAsync(ct))
            await using (var tx = await db.BeginWriteAsync(conn, ct))
            {
                var a = await conn.QuerySingleOrDefaultAsync<AmendmentRow>(AmendmentRow.Select + " WHERE a.id = @AmendmentId", new { cmd.AmendmentId }, tx)
                    ?? throw new NotFound($"No amendment with id {cmd.AmendmentId}.");
                if (a.Status != AmendmentStatus.Submitted)
                    throw new Conflict($"Amendment {a.Number} is '{a.Status}': only an amendment not yet decided can be withdrawn.");
                await conn.ExecuteAsync("UPDATE amendment SET status = 'withdrawn', decided_at = @now WHERE id = @AmendmentId",
                    new { cmd.AmendmentId, now = clock.GetUtcNow() }, tx);
                await tx.CommitAsync(ct);
                motionId = a.MotionId;
            }
            return await mediator.Send(new GetMotion.Query(motionId), ct);
        }
    }
}
