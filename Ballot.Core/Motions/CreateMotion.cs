using System.Data.Common;
using Ballot.Core.Common;
using Ballot.Core.Data;
using Dapper;
using MediatR;

namespace Ballot.Core.Motions;

public static class CreateMotion
{
    /// <param name="Number">the motion's number on the agenda; the next free number when not given</param>
    /// <param name="Text">kept exactly as entered, typos and whitespace included</param>
    public sealed record Command(long ConferenceId, int? Number, string? Title, string? Text, Party? Proposer, Party? Seconder,
        string? Topic, bool NeedsTwoThirds, string? By) : IRequest<MotionView>, IValidatable
    {
        public void Validate(Problems p)
        {
            Check(p, Number, Title, Text, Proposer, Seconder, Topic);
            if (Proposer is null) p.Add("proposer", "proposer is required: its kind (branch, division, member or executive) and name.");
        }
    }

    internal static void Check(Problems p, int? number, string? title, string? text, Party? proposer, Party? seconder, string? topic)
    {
        if (number is < 1) p.Add("number", "number must be 1 or more.");
        p.Required("title", title, 500);
        if (string.IsNullOrWhiteSpace(text)) p.Add("text", "text is required.");
        else if (text.Length > 200_000) p.Add("text", "text must be at most 200000 characters.");
        CheckParty(p, "proposer", proposer);
        CheckParty(p, "seconder", seconder);
        p.MaxLength("topic", topic, 200);
    }

    internal static void CheckParty(Problems p, string field, Party? party)
    {
        if (party is null) return;
        p.Required($"{field}.kind", party.Kind, 20).OneOf($"{field}.kind", party.Kind, Parties.Kinds);
        p.Required($"{field}.name", party.Name, 200);
    }

    public sealed class Handler(Db db, TimeProvider clock, IMediator mediator) : IRequestHandler<Command, MotionView>
    {
        public async Task<MotionView> Handle(Command cmd, CancellationToken ct)
        {
            long id;
            await using (var conn = await db.OpenAsync(ct))
            await using (var tx = await db.BeginWriteAsync(conn, ct))
            {
                id = await InsertAsync(conn, tx, cmd, clock.GetUtcNow());
                await tx.CommitAsync(ct);
            }
            return await mediator.Send(new GetMotion.Query(id), ct);
        }
    }

    internal static async Task<long> InsertAsync(DbConnection conn, DbTransaction tx, Command cmd, DateTimeOffset now)
    {
        if (await conn.ExecuteScalarAsync<long>("SELECT COUNT(*) FROM conference WHERE id = @ConferenceId", new { cmd.ConferenceId }, tx) == 0)
            throw new NotFound($"No conference with id {cmd.ConferenceId}.");
        var number = cmd.Number ?? await conn.ExecuteScalarAsync<int>(
            "SELECT COALESCE(MAX(number), 0) + 1 FROM motion WHERE conference_id = @ConferenceId", new { cmd.ConferenceId }, tx);
        if (await conn.ExecuteScalarAsync<long>("SELECT COUNT(*) FROM motion WHERE conference_id = @ConferenceId AND number = @number",
                new { cmd.ConferenceId, number }, tx) > 0)
            throw new Conflict($"This conference already has a motion {number}.");
        var id = await conn.ExecuteScalarAsync<long>("""
            INSERT INTO motion (conference_id, number, title, original_text, text, proposer_kind, proposer_name, seconder_kind, seconder_name,
                                topic, needs_two_thirds, status, created_at, updated_at)
            VALUES (@ConferenceId, @number, @title, @Text, @Text, @pk, @pn, @sk, @sn, @topic, @NeedsTwoThirds, 'submitted', @now, @now)
            RETURNING id
            """, new
        {
            cmd.ConferenceId, number, title = cmd.Title!.Trim(), cmd.Text, pk = cmd.Proposer?.Kind, pn = cmd.Proposer?.Name.Trim(),
            sk = cmd.Seconder?.Kind, sn = cmd.Seconder?.Name.Trim(), topic = string.IsNullOrWhiteSpace(cmd.Topic) ? null : cmd.Topic.Trim(),
            cmd.NeedsTwoThirds, now,
        }, tx);
        await conn.ExecuteAsync("""
            INSERT INTO motion_text_version (motion_id, version, amendment_id, text, created_at) VALUES (@id, 1, NULL, @Text, @now);
            INSERT INTO motion_status_change (motion_id, from_status, to_status, changed_by, changed_at) VALUES (@id, NULL, 'submitted', @By, @now);
            """, new { id, cmd.Text, cmd.By, now }, tx);
        return id;
    }
}

public static class ImportMotion
{
    /// <summary>A motion as plain text: the title line, a blank line, then the motion exactly as it stands.</summary>
    public sealed record Command(long ConferenceId, string Body, int? Number, Party? Proposer, Party? Seconder, string? Topic,
        bool NeedsTwoThirds, string? By) : IRequest<MotionView>, IValidatable
    {
        public void Validate(Problems p)
        {
            if (Number is < 1) p.Add("number", "number must be 1 or more.");
            CreateMotion.CheckParty(p, "proposer", Proposer);
            CreateMotion.CheckParty(p, "seconder", Seconder);
            p.MaxLength("topic", Topic, 200);
            if (Body.Length > 200_000) p.Add("body", "The motion must be at most 200000 characters.");
        }
    }

    public sealed class Handler(Db db, TimeProvider clock, IMediator mediator) : IRequestHandler<Command, MotionView>
    {
        public async Task<MotionView> Handle(Command cmd, CancellationToken ct)
        {
            var split = MotionText.Read(cmd.Body);
            var create = new CreateMotion.Command(cmd.ConferenceId, cmd.Number, split.Title, split.Text, cmd.Proposer, cmd.Seconder,
                cmd.Topic, cmd.NeedsTwoThirds, cmd.By);
            var p = new Problems();
            CreateMotion.Check(p, create.Number, create.Title, create.Text, create.Proposer, create.Seconder, create.Topic);
            p.ThrowIfAny();
            long id;
            await using (var conn = await db.OpenAsync(ct))
            await using (var tx = await db.BeginWriteAsync(conn, ct))
            {
                id = await CreateMotion.InsertAsync(conn, tx, create, clock.GetUtcNow());
                await tx.CommitAsync(ct);
            }
            return await mediator.Send(new GetMotion.Query(id), ct);
        }
    }
}
