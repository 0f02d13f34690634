using Ballot.Core.Common;
using Ballot.Core.Data;
using Ballot.Core.Staff;
using Dapper;
using MediatR;

namespace Ballot.Core.Members;

public static class UpdateMember
{
    /// <summary>Only the fields given change (PATCH). <paramref name="By"/> is recorded with every change of email or status.</summary>
    public sealed record Command(string MembershipNumber, string? Email, long? WorkplaceId, string? Status, StaffActor By) : IRequest<MemberView>, IValidatable
    {
        public void Validate(Problems p)
        {
            if (Email is null && WorkplaceId is null && Status is null)
                p.Add("body", "Give at least one of email, workplaceId, status.");
            if (Email is not null) p.Required("email", Email, 254).Email("email", Email);
            p.OneOf("status", Status, Categories.Statuses);
        }
    }

    private sealed class Row
    {
        public long Id { get; init; }
        public string? Email { get; init; }
        public string Status { get; init; } = "";
        public DateTimeOffset? ErasedAt { get; init; }
    }

    public sealed class Handler(Db db, TimeProvider clock, IMediator mediator) : IRequestHandler<Command, MemberView>
    {
        public async Task<MemberView> Handle(Command cmd, CancellationToken ct)
        {
            var now = clock.GetUtcNow();
            await using (var conn = await db.OpenAsync(ct))
            await using (var tx = await db.BeginWriteAsync(conn, ct))
            {
                var after = await MemberChanges.BeginAsync(conn, db.Dialect, tx);
                var member = await conn.QuerySingleOrDefaultAsync<Row>(
                    "SELECT id, email, status, erased_at FROM member WHERE membership_number = @MembershipNumber", new { cmd.MembershipNumber }, tx);
                if (member is null) throw new NotFound($"No member with membership number '{cmd.MembershipNumber}'.");
                if (member.ErasedAt is not null && cmd.Email is not null)
                    throw new Conflict("This member's personal data has been erased; an email cannot be set.");
                if (cmd.WorkplaceId is { } wid &&
                    await conn.ExecuteScalarAsync<long>("SELECT COUNT(*) FROM workplace WHERE id = @wid", new { wid }, tx) == 0)
                    throw ValidationFailed.For("workplaceId", $"No workplace with id {wid}.");
                await conn.ExecuteAsync("""
                    UPDATE member SET
                        email = coalesce(@Email, email),
                        workplace_id = coalesce(@WorkplaceId, workplace_id),
                        status = coalesce(@Status, status),
                        updated_at = @now
                    WHERE id = @id
                    """, new { cmd.Email, cmd.WorkplaceId, cmd.Status, now, id = member.Id }, tx);

                var changes = new List<MemberChanges.Change>();
                if (cmd.Email is not null && cmd.Email != member.Email) changes.Add(new(member.Id, "email", member.Email, cmd.Email));
                if (cmd.Status is not null && cmd.Status != member.Status) changes.Add(new(member.Id, "status", member.Status, cmd.Status));
                await MemberChanges.RecordAsync(conn, db.Dialect, tx, changes, "api", cmd.By, now, ct);
                if (changes.Count > 0) await MemberChanges.AnnounceAsync(conn, tx, after, "api", cmd.By, now);
                await tx.CommitAsync(ct);
            }
            return await mediator.Send(new GetMember.Query(cmd.MembershipNumber), ct);
        }
    }
}
