using Ballot.Core.Common;
using Ballot.Core.Data;
using Dapper;
using MediatR;

namespace Ballot.Core.Motions;

/// <summary>
/// The Executive corrects what the parser read (text, due term or date), assigns the item and records progress.
/// Only the fields given change; an empty assignee clears it.
/// </summary>
public static class UpdateInstruction
{
    public sealed record Command(long Id, string? Text, string? DueTerm, int? DueYear, DateOnly? DueOn, string? Assignee, string? Progress,
        string? ProgressNote, string? By) : IRequest<InstructionView>, IValidatable
    {
        public void Validate(Problems p)
        {
            if (Text is null && DueTerm is null && DueYear is null && DueOn is null && Assignee is null && Progress is null && ProgressNote is null)
                p.Add("body", "Give at least one of text, dueTerm, dueYear, dueOn, assignee, progress, progressNote.");
            if (Text is not null) p.Required("text", Text, 20_000);
            p.OneOf("dueTerm", DueTerm, TermCalendar.Terms);
            if (DueYear is < 1900 or > 2200) p.Add("dueYear", "dueYear must be a year between 1900 and 2200.");
            if (DueYear is not null && DueTerm is null) p.Add("dueTerm", "Give the term with its year (spring, summer or autumn).");
            p.MaxLength("assignee", Assignee, 200);
            p.OneOf("progress", Progress, InstructionProgress.All);
            p.MaxLength("progressNote", ProgressNote, 5000);
        }
    }

    private sealed class Current
    {
        public long Id { get; init; }
        public int? DueYear { get; init; }
        public string StartsOn { get; init; } = "";
    }

    public sealed class Handler(Db db, TimeProvider clock, TermCalendar calendar, IMediator mediator) : IRequestHandler<Command, InstructionView>
    {
        public async Task<InstructionView> Handle(Command cmd, CancellationToken ct)
        {
            await using (var conn = await db.OpenAsync(ct))
            await using (var tx = await db.BeginWriteAsync(conn, ct))
            {
                var current = await conn.QuerySingleOrDefaultAsync<Current>("""
                    SELECT i.id AS Id, i.due_year AS DueYear, c.starts_on AS StartsOn
                    FROM instruction i JOIN motion m ON m.id = i.motion_id JOIN conference c ON c.id = m.conference_id WHERE i.id = @Id
                    """, new { cmd.Id }, tx) ?? throw new NotFound($"No instruction with id {cmd.Id}.");
                var setDue = cmd.DueTerm is not null || cmd.DueOn is not null;
                string? term = cmd.DueTerm;
                int? year = null;
                DateOnly? dueOn = cmd.DueOn;
                if (term is not null)
                {
                    year = cmd.DueYear ?? current.DueYear ?? InstructionParser.FindTerm(term + " term", Dates.Parse(current.StartsOn)!.Value, calendar).Year;
                    dueOn ??= calendar.EndOf(term, year!.Value);
                }
                await conn.ExecuteAsync("""
                    UPDATE instruction SET
                        text = COALESCE(@Text, text),
                        due_term = CASE WHEN @setDue THEN @term ELSE due_term END,
                        due_year = CASE WHEN @setDue THEN @year ELSE due_year END,
                        due_on = CASE WHEN @setDue THEN @dueOn ELSE due_on END,
                        assignee = CASE WHEN @Assignee IS NULL THEN assignee WHEN @Assignee = '' THEN NULL ELSE @Assignee END,
                        progress = COALESCE(@Progress, progress),
                        progress_note = COALESCE(@ProgressNote, progress_note),
                        updated_at = @now, updated_by = @By
                    WHERE id = @Id
                    """, new
                {
                    cmd.Id, Text = cmd.Text?.Trim(), setDue, term, year, dueOn = dueOn is { } d ? Dates.Text(d) : null,
                    Assignee = cmd.Assignee?.Trim(), cmd.Progress, cmd.ProgressNote, now = clock.GetUtcNow(), cmd.By,
                }, tx);
                await tx.CommitAsync(ct);
            }
            return await mediator.Send(new GetInstruction.Query(cmd.Id), ct);
        }
    }
}

/// <summary>
/// Links an instruction to what carries it out: a mailing, a ballot or a leaflet campaign, by kind and id. The
/// target must exist; a kind whose feature has no table yet on this database is refused.
/// </summary>
public static class LinkInstruction
{
    public static readonly string[] Kinds = ["mailing", "ballot", "campaign"];

    public sealed record Command(long Id, string? Kind, long? TargetId, string? By) : IRequest<InstructionView>, IValidatable
    {
        public void Validate(Problems p)
        {
            p.Required("kind", Kind, 20).OneOf("kind", Kind, Kinds);
            if (TargetId is null) p.Add("id", "id is required: the id of the mailing, ballot or campaign.");
        }
    }

    public sealed class Handler(Db db, TimeProvider clock, IMediator mediator) : IRequestHandler<Command, InstructionView>
    {
        public async Task<InstructionView> Handle(Command cmd, CancellationToken ct)
        {
            await using (var conn = await db.OpenAsync(ct))
            await using (var tx = await db.BeginWriteAsync(conn, ct))
            {
                if (await conn.ExecuteScalarAsync<long>("SELECT COUNT(*) FROM instruction WHERE id = @Id", new { cmd.Id }, tx) == 0)
                    throw new NotFound($"No instruction with id {cmd.Id}.");
                // The table name comes from the fixed list above, never from the request.
                var table = Kinds.Single(k => k == cmd.Kind);
                if (await conn.ExecuteScalarAsync<long>($"SELECT COUNT(*) FROM {table} WHERE id = @TargetId", new { cmd.TargetId }, tx) == 0)
                {
                    var message = $"No {table} with id {cmd.TargetId}.";
                    throw new ValidationFailed(new Dictionary<string, string[]> { ["id"] = [message] }, message);
                }
                if (await conn.ExecuteScalarAsync<long>("SELECT COUNT(*) FROM instruction_link WHERE instruction_id = @Id AND kind = @Kind AND target_id = @TargetId",
                        new { cmd.Id, cmd.Kind, cmd.TargetId }, tx) > 0)
                    throw new Conflict($"The instruction is already linked to {table} {cmd.TargetId}.");
                await conn.ExecuteAsync("""
                    INSERT INTO instruction_link (instruction_id, kind, target_id, linked_by, linked_at) VALUES (@Id, @Kind, @TargetId, @By, @now)
                    """, new { cmd.Id, cmd.Kind, cmd.TargetId, cmd.By, now = clock.GetUtcNow() }, tx);
                await tx.CommitAsync(ct);
            }
            return await mediator.Send(new GetInstruction.Query(cmd.Id), ct);
        }
    }
}

public static class UnlinkInstruction
{
    public sealed record Command(long Id, string Kind, long TargetId) : IRequest<InstructionView>;

    public sealed class Handler(Db db, IMediator mediator) : IRequestHandler<Command, InstructionView>
    {
        public async Task<InstructionView> Handle(Command cmd, CancellationToken ct)
        {
            await using (var conn = await db.OpenAsync(ct))
            {
                var n = await conn.ExecuteAsync("DELETE FROM instruction_link WHERE instruction_id = @Id AND kind = @Kind AND target_id = @TargetId", cmd);
                if (n == 0) throw new NotFound($"Instruction {cmd.Id} has no link to {cmd.Kind} {cmd.TargetId}.");
            }
            return await mediator.Send(new GetInstruction.Query(cmd.Id), ct);
        }
    }
}
