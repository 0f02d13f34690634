using Ballot.Core.Common;
using Ballot.Core.Data;
using Dapper;
using MediatR;

namespace Ballot.Core.Ballots;

public static class CreateBallot
{
    public sealed record Command(BallotInput Input, string Actor) : IRequest<BallotView>, IValidatable
    {
        public void Validate(Problems p) => Input.Validate(p);
    }

    public sealed class Handler(Db db, TimeProvider clock) : IRequestHandler<Command, BallotView>
    {
        public async Task<BallotView> Handle(Command cmd, CancellationToken ct)
        {
            var i = cmd.Input;
            var now = clock.GetUtcNow();
            if (i.ClosesAt <= now) throw ValidationFailed.For("closesAt", "closesAt must be in the future.");
            await using var conn = await db.OpenAsync(ct);
            await using var tx = await db.BeginWriteAsync(conn, ct);
            var (def, ruleSet, method) = await DraftInput.PrepareAsync(conn, tx, i);
            var id = await conn.ExecuteScalarAsync<long>("""
                INSERT INTO ballot (title, kind, status, counting, voting_method, opens_at, closes_at, rule_set, definition, created_by, created_at, updated_at)
                VALUES (@title, @kind, 'draft', @counting, @votingMethod, @opensAt, @closesAt, @ruleSet, @definition, @actor, @now, @now)
                RETURNING id
                """, new
            {
                title = i.Title!.Trim(), kind = KindText.Of(i.Kind!.Value), counting = KindText.Of(i.Counting!.Value), votingMethod = VotingMethods.Of(method),
                opensAt = i.OpensAt!.Value, closesAt = i.ClosesAt!.Value, ruleSet, definition = def.Serialize(), actor = cmd.Actor, now = now,
            }, tx);
            await Audit.AppendAsync(conn, tx, id, "created", cmd.Actor, new { title = i.Title.Trim(), ruleSet, votingMethod = VotingMethods.Of(method), definition = def }, now);
            var view = await (await BallotRow.LoadAsync(conn, id, tx)).ToViewAsync(conn, tx);
            await tx.CommitAsync(ct);
            return view;
        }
    }
}
