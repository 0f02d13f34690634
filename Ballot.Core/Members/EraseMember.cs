using Ballot.Core.Common;
using Ballot.Core.Data;
using Ballot.Core.Staff;
using Dapper;
using MediatR;

namespace Ballot.Core.Members;

/// <summary>
/// Erasure (right to be forgotten): the name and email go, the row stays, so every count a past ballot
/// made over this member (entitled to vote, voted) stays what it was. The email and home addresses ballots froze for the
/// member and the addresses in the member's change history go too; the erasure itself is recorded (who, when), and in the audit
/// chain of any open ballot the member is an elector of, because it stops that ballot's letters to them.
/// </summary>
public static class EraseMember
{
    public sealed record Command(string MembershipNumber, StaffActor By) : IRequest<Unit>;

    private sealed class Row
    {
        public long Id { get; init; }
        public DateTimeOffset? ErasedAt { get; init; }
    }

    public sealed class Handler(Db db, TimeProvider clock) : IRequestHandler<Command, Unit>
    {
        public async Task<Unit> Handle(Command cmd, CancellationToken ct)
        {
            var now = clock.GetUtcNow();
            await using var conn = await db.OpenAsync(ct);
            await using var tx = await db.BeginWriteAsync(conn, ct);
            var after = await MemberChanges.BeginAsync(conn, db.Dialect, tx);
            var member = await conn.QuerySingleOrDefaultAsync<Row>(
                "SELECT id, erased_at FROM member WHERE membership_number = @MembershipNumber", new { cmd.MembershipNumber }, tx)
                ?? throw new NotFound($"No member with membership number '{cmd.MembershipNumber}'.");
            await conn.ExecuteAsync("""
                UPDATE member SET first_name = NULL, last_name = NULL, email = NULL, email_kind = NULL,
                       address_line1 = NULL, address_line2 = NULL, address_line3 = NULL, town = NULL, postcode = NULL,
                       erased_at = coalesce(erased_at, @now), updated_at = @now
                WHERE id = @id
                """, new { id = member.Id, now }, tx);
            if (member.ErasedAt is null)
            {
                await conn.ExecuteAsync("UPDATE ballot_elector SET email = NULL WHERE ballot_id IN (SELECT id FROM ballot) AND member_id = @id",
                    new { id = member.Id }, tx);
                await conn.ExecuteAsync("""
                    UPDATE ballot_paper_address SET first_name = NULL, last_name = NULL, address_line1 = NULL, address_line2 = NULL,
                           address_line3 = NULL, town = NULL, postcode = NULL
                    WHERE ballot_id IN (SELECT id FROM ballot) AND member_id = @id
                    """, new { id = member.Id }, tx);
                await conn.ExecuteAsync("UPDATE member_change SET old_value = NULL, new_value = NULL WHERE member_id = @id AND field IN ('email', 'address')",
                    new { id = member.Id }, tx);
                await MemberChanges.RecordAsync(conn, db.Dialect, tx, [new MemberChanges.Change(member.Id, "erased", null, null)], "api", cmd.By, now, ct);
                await MemberChanges.AnnounceAsync(conn, tx, after, "api", cmd.By, now);
            }
            await tx.CommitAsync(ct);
            return Unit.Value;
        }
    }
}
