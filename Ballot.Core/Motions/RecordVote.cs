using Ballot.Core.Common;
using Ballot.Core.Data;
using Dapper;
using MediatR;

namespace Ballot.Core.Motions;

/// <summary>
/// Records how conference decided a motion or one of its amendments. The vote decides the status: a carried
/// amendment rewrites the substantive motion (both texts and the step are kept); a carried motion's instructions
/// to the Executive become action items with their due dates.
/// </summary>
public static class RecordVote
{
    /// <param name="AmendmentId">set to vote on an amendment; <paramref name="MotionId"/> is then the amendment's motion</param>
    public sealed record Command(long? MotionId, long? AmendmentId, VoteInput Vote, string? By) : IRequest<MotionView>;

    public sealed class Handler(Db db, TimeProvider clock, TermCalendar calendar, IMediator mediator) : IRequestHandler<Command, MotionView>
    {
        public async Task<MotionView> Handle(Command cmd, CancellationToken ct)
        {
            long motionId;
            await using (var conn = await db.OpenAsync(ct))
            await using (var tx = await db.BeginWriteAsync(conn, ct))
            {
                AmendmentRow? amendment = null;
                if (cmd.AmendmentId is { } aid)
                    amendment = await conn.QuerySingleOrDefaultAsync<AmendmentRow>(AmendmentRow.Select + " WHERE a.id = @aid", new { aid }, tx)
                        ?? throw new NotFound($"No amendment with id {aid}.");
                motionId = amendment?.MotionId ?? cmd.MotionId!.Value;
                var motion = await conn.QuerySingleOrDefaultAsync<MotionRow>(MotionRow.Select + " WHERE m.id = @motionId", new { motionId }, tx)
                    ?? throw new NotFound($"No motion with id {motionId}.");
                var what = amendment is null ? "the motion" : $"amendment {amendment.Number}";
                if (motion.Status != MotionStatus.Debated)
                    throw new Conflict(MotionStatus.IsDecided(motion.Status)
                        ? $"The motion is already '{motion.Status}': conference has decided it."
                        : $"Conference votes on {what} during the motion's debate, and the motion is '{motion.Status}': set its status to debated first.");
                if (amendment is not null && amendment.Status != AmendmentStatus.Submitted)
                    throw new Conflict($"Amendment {amendment.Number} is already '{amendment.Status}'.");

                var result = VoteCount.Decide(cmd.Vote, motion.NeedsTwoThirds);
                var now = clock.GetUtcNow();
                if (amendment is not null) await DecideAmendment(conn, tx, motion, amendment, result, now);
                else await DecideMotion(conn, tx, motion, result, cmd.By, now);
                await conn.ExecuteAsync("""
                    INSERT INTO motion_vote (motion_id, amendment_id, method, votes_for, votes_against, abstentions, two_thirds, result, recorded_by, recorded_at)
                    VALUES (@motionId, @amendmentId, @Method, @For, @Against, @abstain, @twoThirds, @result, @By, @now)
                    """, new
                {
                    motionId, amendmentId = amendment?.Id, cmd.Vote.Method, cmd.Vote.For, cmd.Vote.Against,
                    abstain = cmd.Vote.Method == VoteCount.Card ? cmd.Vote.Abstain ?? 0 : (long?)null,
                    twoThirds = motion.NeedsTwoThirds, result, cmd.By, now,
                }, tx);
                await tx.CommitAsync(ct);
            }
            return await mediator.Send(new GetMotion.Query(motionId), ct);
        }

        private static async Task DecideAmendment(System.Data.Common.DbConnection conn, System.Data.Common.DbTransaction tx, MotionRow motion,
            AmendmentRow amendment, string result, DateTimeOffset now)
        {
            if (result == MotionStatus.Lost)
            {
                await conn.ExecuteAsync("UPDATE amendment SET status = 'lost', decided_at = @now WHERE id = @Id", new { amendment.Id, now }, tx);
                return;
            }
            string after;
            try
            {
                after = AmendmentText.Apply(motion.Text, amendment.Spec);
            }
            catch (AmendmentDoesNotApply e)
            {
                throw new Conflict($"Amendment {amendment.Number} no longer applies to the motion as already amended: {e.Message}");
            }
            var version = await conn.ExecuteScalarAsync<int>("SELECT COALESCE(MAX(version), 0) + 1 FROM motion_text_version WHERE motion_id = @Id", new { motion.Id }, tx);
            await conn.ExecuteAsync("""
                UPDATE amendment SET status = 'carried', decided_at = @now, text_before = @before, text_after = @after WHERE id = @amendmentId;
                UPDATE motion SET text = @after, updated_at = @now WHERE id = @motionId;
                INSERT INTO motion_text_version (motion_id, version, amendment_id, text, created_at) VALUES (@motionId, @version, @amendmentId, @after, @now);
                """, new { amendmentId = amendment.Id, motionId = motion.Id, before = motion.Text, after, version, now }, tx);
        }

        private async Task DecideMotion(System.Data.Common.DbConnection conn, System.Data.Common.DbTransaction tx, MotionRow motion, string result,
            string? by, DateTimeOffset now)
        {
            var pending = (await conn.QueryAsync<int>("SELECT number FROM amendment WHERE motion_id = @Id AND status = 'submitted' ORDER BY number",
                new { motion.Id }, tx)).ToList();
            if (pending.Count > 0)
                throw new Conflict($"Decide or withdraw amendment{(pending.Count == 1 ? "" : "s")} {string.Join(", ", pending)} before conference votes on the motion.");
            await ChangeMotionStatus.SetAsync(conn, tx, motion.Id, motion.Status, result, by, now);
            if (result != MotionStatus.Carried) return;
            var start = await conn.ExecuteScalarAsync<string>("SELECT starts_on FROM conference WHERE id = @ConferenceId", new { motion.ConferenceId }, tx);
            foreach (var i in InstructionParser.Parse(motion.Text, Dates.Parse(start)!.Value, calendar))
                await conn.ExecuteAsync("""
                    INSERT INTO instruction (motion_id, number, text, due_term, due_year, due_on, progress, created_at, updated_at, updated_by)
                    VALUES (@motionId, @Number, @Text, @DueTerm, @DueYear, @dueOn, 'not-started', @now, @now, @by)
                    """, new { motionId = motion.Id, i.Number, i.Text, i.DueTerm, i.DueYear, dueOn = i.DueOn is { } d ? Dates.Text(d) : null, now, by }, tx);
        }
    }
}
