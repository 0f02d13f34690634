using System.Data.Common;
using Ballot.Core.Common;
using Ballot.Core.Data;
using Dapper;
using MediatR;

namespace Ballot.Core.Motions;

public static class GetMotion
{
    public sealed record Query(long Id) : IRequest<MotionView>;

    private sealed class VersionRow
    {
        public int Version { get; init; }
        public long? AmendmentId { get; init; }
        public int? AmendmentNumber { get; init; }
        public string Text { get; init; } = "";
        public DateTimeOffset CreatedAt { get; init; }
    }

    private sealed class StatusRow
    {
        public string? FromStatus { get; init; }
        public string ToStatus { get; init; } = "";
        public string? ChangedBy { get; init; }
        public DateTimeOffset ChangedAt { get; init; }
    }

    public sealed class Handler(Db db, TimeProvider clock, TermCalendar calendar) : IRequestHandler<Query, MotionView>
    {
        public async Task<MotionView> Handle(Query q, CancellationToken ct)
        {
            await using var conn = await db.OpenAsync(ct);
            var m = await conn.QuerySingleOrDefaultAsync<MotionRow>(MotionRow.Select + " WHERE m.id = @Id", new { q.Id })
                ?? throw new NotFound($"No motion with id {q.Id}.");
            var conference = await conn.QuerySingleAsync<ConferenceRow>(ConferenceRow.Select + " WHERE c.id = @ConferenceId", new { m.ConferenceId });
            var votes = (await conn.QueryAsync<VoteRow>("""
                SELECT id AS Id, amendment_id AS AmendmentId, method AS Method, votes_for AS VotesFor, votes_against AS VotesAgainst,
                       abstentions AS Abstentions, two_thirds AS TwoThirds, result AS Result, recorded_by AS RecordedBy, recorded_at AS RecordedAt
                FROM motion_vote WHERE motion_id = @Id ORDER BY id
                """, new { q.Id })).ToList();
            var amendments = await conn.QueryAsync<AmendmentRow>(AmendmentRow.Select + " WHERE a.motion_id = @Id ORDER BY a.number", new { q.Id });
            var versions = await conn.QueryAsync<VersionRow>("""
                SELECT v.version AS Version, v.amendment_id AS AmendmentId, a.number AS AmendmentNumber, v.text AS Text, v.created_at AS CreatedAt
                FROM motion_text_version v LEFT JOIN amendment a ON a.id = v.amendment_id
                WHERE v.motion_id = @Id ORDER BY v.version
                """, new { q.Id });
            var statuses = await conn.QueryAsync<StatusRow>("""
                SELECT from_status AS FromStatus, to_status AS ToStatus, changed_by AS ChangedBy, changed_at AS ChangedAt
                FROM motion_status_change WHERE motion_id = @Id ORDER BY id
                """, new { q.Id });
            var items = await Instructions.LoadAsync(conn, null, "i.motion_id = @motionId", new { motionId = q.Id }, Today(clock));

            return new MotionView(m.Id, m.ConferenceId, m.Number, m.Title, m.OriginalText, m.Text, m.Proposer, m.Seconder, m.Topic,
                m.NeedsTwoThirds, m.Status, MotionStatus.AllowedFrom(m.Status).Where(s => s is not (MotionStatus.Carried or MotionStatus.Lost)).ToList(),
                amendments.Select(a => a.ToView(votes.LastOrDefault(v => v.AmendmentId == a.Id)?.ToView())).ToList(),
                votes.LastOrDefault(v => v.AmendmentId is null)?.ToView(),
                versions.Select(v => new TextVersionView(v.Version, v.AmendmentId, v.AmendmentNumber, v.Text, v.CreatedAt)).ToList(),
                statuses.Select(s => new StatusChangeView(s.FromStatus, s.ToStatus, s.ChangedBy, s.ChangedAt)).ToList(),
                InstructionParser.Parse(m.Text, conference.Start, calendar), items, m.CreatedAt, m.UpdatedAt);
        }
    }

    internal static DateOnly Today(TimeProvider clock) => DateOnly.FromDateTime(clock.GetUtcNow().UtcDateTime);
}

/// <summary>Reading action items with their links, shared by the motion view and the instruction list.</summary>
internal static class Instructions
{
    public static async Task<IReadOnlyList<InstructionView>> LoadAsync(DbConnection conn, DbTransaction? tx, string where, object args, DateOnly today,
        string orderBy = "m.conference_id, m.number, i.number")
    {
        var rows = (await conn.QueryAsync<InstructionRow>($"{InstructionRow.Select} WHERE {where} ORDER BY {orderBy}", args, tx)).ToList();
        if (rows.Count == 0) return [];
        var links = (await conn.QueryAsync<LinkRow>($"""
            SELECT l.instruction_id AS InstructionId, l.kind AS Kind, l.target_id AS TargetId, l.linked_by AS LinkedBy, l.linked_at AS LinkedAt
            FROM instruction_link l WHERE l.instruction_id IN (SELECT i.id FROM instruction i JOIN motion m ON m.id = i.motion_id WHERE {where})
            ORDER BY l.linked_at, l.kind, l.target_id
            """, args, tx)).ToLookup(l => l.InstructionId);
        return rows.Select(r => r.ToView(today, links[r.Id].Select(l => l.ToView()).ToList())).ToList();
    }
}

public static class ListMotions
{
    public sealed record Query(long ConferenceId, string? Status = null, string? Topic = null) : IRequest<IReadOnlyList<MotionSummary>>, IValidatable
    {
        public void Validate(Problems p) => p.OneOf("status", Status, MotionStatus.All).MaxLength("topic", Topic, 200);
    }

    public sealed class Handler(Db db) : IRequestHandler<Query, IReadOnlyList<MotionSummary>>
    {
        public async Task<IReadOnlyList<MotionSummary>> Handle(Query q, CancellationToken ct)
        {
            await using var conn = await db.OpenAsync(ct);
            if (await conn.ExecuteScalarAsync<long>("SELECT COUNT(*) FROM conference WHERE id = @ConferenceId", new { q.ConferenceId }) == 0)
                throw new NotFound($"No conference with id {q.ConferenceId}.");
            var rows = await conn.QueryAsync<MotionRow>(MotionRow.Select + """
                 WHERE m.conference_id = @ConferenceId AND (@Status IS NULL OR m.status = @Status)
                   AND (@Topic IS NULL OR lower(m.topic) = lower(@Topic))
                ORDER BY m.number
                """, new { q.ConferenceId, q.Status, q.Topic });
            return rows.Select(r => new MotionSummary(r.Id, r.ConferenceId, r.Number, r.Title, r.Topic, r.Status, r.Proposer)).ToList();
        }
    }
}
