using Ballot.Core.Common;
using Ballot.Core.Data;
using Ballot.Core.Staff;
using Dapper;
using MediatR;

namespace Ballot.Core.Members;

/// <summary>Every change to a member's email, status, home address or email kind, and their erasure: who, when, old and new value, oldest first.</summary>
public static class GetMemberHistory
{
    public sealed record Query(string MembershipNumber) : IRequest<History>;

    public sealed record History(string MembershipNumber, IReadOnlyList<Entry> Changes);

    /// <param name="Field">email, status, address (the home address, its parts joined by ", "), email_kind (personal, work or null) or erased</param>
    /// <param name="Via">api (one change) or import (a register import)</param>
    public sealed record Entry(DateTimeOffset At, string Field, string? OldValue, string? NewValue, string Via, StaffActor By);

    private sealed class Row
    {
        public DateTimeOffset At { get; init; }
        public string Field { get; init; } = "";
        public string? OldValue { get; init; }
        public string? NewValue { get; init; }
        public string Via { get; init; } = "";
        public string StaffKind { get; init; } = "";
        public string StaffId { get; init; } = "";
        public string StaffName { get; init; } = "";
        public string StaffRole { get; init; } = "";
    }

    public sealed class Handler(Db db) : IRequestHandler<Query, History>
    {
        public async Task<History> Handle(Query q, CancellationToken ct)
        {
            await using var conn = await db.OpenAsync(ct);
            var id = await conn.ExecuteScalarAsync<long?>("SELECT id FROM member WHERE membership_number = @MembershipNumber", new { q.MembershipNumber })
                     ?? throw new NotFound($"No member with membership number '{q.MembershipNumber}'.");
            var rows = await conn.QueryAsync<Row>("""
                SELECT at AS At, field AS Field, old_value AS OldValue, new_value AS NewValue, via AS Via,
                       staff_kind AS StaffKind, staff_id AS StaffId, staff_name AS StaffName, staff_role AS StaffRole
                FROM member_change WHERE member_id = @id ORDER BY id
                """, new { id });
            return new History(q.MembershipNumber, rows.Select(r =>
                new Entry(r.At, r.Field, r.OldValue, r.NewValue, r.Via, new StaffActor(r.StaffKind, r.StaffId, r.StaffName, r.StaffRole))).ToList());
        }
    }
}
