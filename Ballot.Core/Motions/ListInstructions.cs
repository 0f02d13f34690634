using Ballot.Core.Common;
using Ballot.Core.Data;
using MediatR;

namespace Ballot.Core.Motions;

/// <summary>
/// The Executive's action items. status=open lists what is outstanding (not done), soonest due first, each saying
/// whether it is overdue; status=overdue only those past their due date; status=done what is finished.
/// </summary>
public static class ListInstructions
{
    public static readonly string[] Statuses = ["open", "overdue", "done", "all"];

    public sealed record Query(string? Status = "open", long? ConferenceId = null, long? MotionId = null, string? Assignee = null)
        : IRequest<IReadOnlyList<InstructionView>>, IValidatable
    {
        public void Validate(Problems p) => p.OneOf("status", Status, Statuses).MaxLength("assignee", Assignee, 200);
    }

    public sealed class Handler(Db db, TimeProvider clock) : IRequestHandler<Query, IReadOnlyList<InstructionView>>
    {
        public async Task<IReadOnlyList<InstructionView>> Handle(Query q, CancellationToken ct)
        {
            var today = GetMotion.Today(clock);
            var where = (q.Status ?? "open") switch
            {
                "open" => "i.progress <> 'done'",
                "overdue" => "i.progress <> 'done' AND i.due_on < @today",
                "done" => "i.progress = 'done'",
                _ => "1 = 1",
            };
            if (q.ConferenceId is not null) where += " AND m.conference_id = @ConferenceId";
            if (q.MotionId is not null) where += " AND i.motion_id = @MotionId";
            if (!string.IsNullOrWhiteSpace(q.Assignee)) where += " AND lower(i.assignee) = lower(@assignee)";
            await using var conn = await db.OpenAsync(ct);
            return await Instructions.LoadAsync(conn, null, where,
                new { today = Dates.Text(today), q.ConferenceId, q.MotionId, assignee = q.Assignee?.Trim() }, today,
                "CASE WHEN i.due_on IS NULL THEN 1 ELSE 0 END, i.due_on, m.conference_id, m.number, i.number");
        }
    }
}

public static class GetInstruction
{
    public sealed record Query(long Id) : IRequest<InstructionView>;

    public sealed class Handler(Db db, TimeProvider clock) : IRequestHandler<Query, InstructionView>
    {
        public async Task<InstructionView> Handle(Query q, CancellationToken ct)
        {
            await using var conn = await db.OpenAsync(ct);
            var found = await Instructions.LoadAsync(conn, null, "i.id = @Id", new { q.Id }, GetMotion.Today(clock));
            return found.Count == 1 ? found[0] : throw new NotFound($"No instruction with id {q.Id}.");
        }
    }
}
