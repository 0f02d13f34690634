using Ballot.Core.Common;
using Ballot.Core.Data;
using Ballot.Core.Staff;
using Dapper;
using MediatR;

namespace Ballot.Core.Members;

/// <summary>
/// Replaces a member's home address and says whether their email is personal or work (null: not known). Each change is
/// recorded with <see cref="Command.By"/> and, for an elector of an open ballot, announced like a change of email
/// (ADR 0620): that ballot's papers still go to the address frozen when it opened.
/// </summary>
public static class SetHomeAddress
{
    public sealed record Command(string MembershipNumber, string? Line1, string? Line2, string? Line3, string? Town, string? Postcode, string? EmailKind,
        StaffActor By) : IRequest<MemberView>, IValidatable
    {
        public void Validate(Problems p)
        {
            p.MaxLength("line1", Line1, 200).MaxLength("line2", Line2, 200).MaxLength("line3", Line3, 200).MaxLength("town", Town, 100);
            if (!string.IsNullOrWhiteSpace(Postcode) && ImportMembers.Postcode(Postcode) is null)
                p.Add("postcode", "postcode is letters, digits and spaces, at most 16 characters.");
            if (!string.IsNullOrWhiteSpace(EmailKind) && ImportMembers.EmailKind(EmailKind) is null)
                p.Add("emailKind", "emailKind must be personal or work, or empty when not known.");
        }
    }

    private sealed class Row
    {
        public long Id { get; init; }
        public DateTimeOffset? ErasedAt { get; init; }
        public string? AddressLine1 { get; init; }
        public string? AddressLine2 { get; init; }
        public string? AddressLine3 { get; init; }
        public string? Town { get; init; }
        public string? Postcode { get; init; }
        public string? EmailKind { get; init; }
    }

    public sealed class Handler(Db db, TimeProvider clock, IMediator mediator) : IRequestHandler<Command, MemberView>
    {
        public async Task<MemberView> Handle(Command cmd, CancellationToken ct)
        {
            static string? Clean(string? s) => string.IsNullOrWhiteSpace(s) ? null : s.Trim();
            var now = clock.GetUtcNow();
            var home = new ImportMembers.HomeAddress(Clean(cmd.Line1), Clean(cmd.Line2), Clean(cmd.Line3), Clean(cmd.Town),
                Clean(cmd.Postcode) is { } pc ? ImportMembers.Postcode(pc) : null);
            var kind = ImportMembers.EmailKind(cmd.EmailKind);
            await using (var conn = await db.OpenAsync(ct))
            await using (var tx = await db.BeginWriteAsync(conn, ct))
            {
                var after = await MemberChanges.BeginAsync(conn, db.Dialect, tx);
                var member = await conn.QuerySingleOrDefaultAsync<Row>("""
                    SELECT id, erased_at AS ErasedAt, address_line1 AS AddressLine1, address_line2 AS AddressLine2, address_line3 AS AddressLine3,
                           town, postcode, email_kind AS EmailKind
                    FROM member WHERE membership_number = @MembershipNumber
                    """, new { cmd.MembershipNumber }, tx)
                    ?? throw new NotFound($"No member with membership number '{cmd.MembershipNumber}'.");
                if (member.ErasedAt is not null) throw new Conflict("This member's personal data has been erased; an address cannot be set.");
                await conn.ExecuteAsync("""
                    UPDATE member SET address_line1 = @Line1, address_line2 = @Line2, address_line3 = @Line3, town = @Town, postcode = @Postcode,
                           email_kind = @kind, updated_at = @now
                    WHERE id = @id
                    """, new { home.Line1, home.Line2, home.Line3, home.Town, home.Postcode, kind, now, id = member.Id }, tx);
                var old = new ImportMembers.HomeAddress(member.AddressLine1, member.AddressLine2, member.AddressLine3, member.Town, member.Postcode);
                var changes = MemberChanges.OfHome(member.Id, old, home, member.EmailKind, kind, kindSet: true).ToList();
                await MemberChanges.RecordAsync(conn, db.Dialect, tx, changes, "api", cmd.By, now, ct);
                if (changes.Count > 0) await MemberChanges.AnnounceAsync(conn, tx, after, "api", cmd.By, now);
                await tx.CommitAsync(ct);
            }
            return await mediator.Send(new GetMember.Query(cmd.MembershipNumber), ct);
        }
    }
}
