using Ballot.Core.Common;
using Ballot.Core.Data;
using Dapper;
using MediatR;

namespace Ballot.Core.Ballots;

public static class UpdateBallot
{
    /// <summary>Replaces the whole draft; a ballot can be edited only while it is a draft.</summary>
    public sealed record Command(long Id, BallotInput Input, string Actor) : IRequest<BallotView>, IValidatable
    {
        public void Validate(Problems p) => Input.Validate(p);
    }

    public sealed class Handler(Db db, TimeProvider clock) : IRequestHandler<Command, BallotView>
    {
        public async Task<BallotView> Handle(Command cmd, CancellationToken ct)
        {
            var i = cmd.Input;
            var now = clock.GetUtcNow();
            await using var conn = await db.OpenAsync(ct);
            await using var tx = await db.BeginWriteAsync(conn, ct);
            var row = await BallotRow.LoadLockedAsync(conn, db.Dialect, cmd.Id, tx);
            if (row.Status != "draft") throw new Conflict($"The ballot is {row.Status}; only a draft can be edited.");
            if (i.ClosesAt <= now) throw ValidationFailed.For("closesAt", "closesAt must be in the future.");
            var (def, ruleSet, method) = await DraftInput.PrepareAsync(conn, tx, i);
            var changed = await conn.ExecuteAsync("""
                UPDATE ballot SET title = @title, kind = @kind, counting = @counting, voting_method = @votingMethod, opens_at = @opensAt, closes_at = @closesAt,
                       rule_set = @ruleSet, definition = @definition, updated_at = @now
                WHERE id = @id AND status = 'draft'
                """, new
            {
                id = cmd.Id, title = i.Title!.Trim(), kind = KindText.Of(i.Kind!.Value), counting = KindText.Of(i.Counting!.Value), votingMethod = VotingMethods.Of(method),
                opensAt = i.OpensAt!.Value, closesAt = i.ClosesAt!.Value, ruleSet, definition = def.Serialize(), now,
            }, tx);
            if (changed != 1) throw new Conflict("The ballot was opened by another request at the same time; only a draft can be edited.");
            await Audit.AppendAsync(conn, tx, cmd.Id, "edited", cmd.Actor, new { title = i.Title.Trim(), ruleSet, votingMethod = VotingMethods.Of(method), definition = def }, now);
            var view = await (await BallotRow.LoadAsync(conn, cmd.Id, tx)).ToViewAsync(conn, tx);
            await tx.CommitAsync(ct);
            return view;
        }
    }
}
