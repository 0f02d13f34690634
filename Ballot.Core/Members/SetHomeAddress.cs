using Ballot.Core.Common;
using Ballot.Core.Data;
using Dapper;
using MediatR;

namespace Ballot.Core.Members;

/// <summary>Replaces a member's home address and says whether their email is personal or work (null: not known).</summary>
public static class SetHomeAddress
{
    public sealed record Command(string MembershipNumber, string? Line1, string? Line2, string? Line3, string? Town, string? Postcode, string? EmailKind)
        : IRequest<MemberView>, IValidatable
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

    public sealed class Handler(Db db, TimeProvider clock, IMediator mediator) : IRequestHandler<Command, MemberView>
    {
        public async Task<MemberView> Handle(Command cmd, CancellationToken ct)
        {
            static string? Clean(string? s) => string.IsNullOrWhiteSpace(s) ? null : s.Trim();
            await using (var conn = await db.OpenAsync(ct))
            await using (var tx = await db.BeginWriteAsync(conn, ct))
            {
                var erased = await conn.QuerySingleOrDefaultAsync<DateTimeOffset?>(
                    "SELECT erased_at FROM member WHERE membership_number = @MembershipNumber", new { cmd.MembershipNumber }, tx);
                var exists = await conn.ExecuteScalarAsync<long>("SELECT COUNT(*) FROM member WHERE membership_number = @MembershipNumber", new { cmd.MembershipNumber }, tx);
                if (exists == 0) throw new NotFound($"No member with membership number '{cmd.MembershipNumber}'.");
                if (erased is not null) throw new Conflict("This member's personal data has been erased; an address cannot be set.");
                await conn.ExecuteAsync("""
                    UPDATE member SET address_line1 = @l1, address_line2 = @l2, address_line3 = @l3, town = @town, postcode = @postcode,
                           email_kind = @kind, updated_at = @now
                    WHERE membership_number = @MembershipNumber
                    """, new
                {
                    l1 = Clean(cmd.Line1), l2 = Clean(cmd.Line2), l3 = Clean(cmd.Line3), town = Clean(cmd.Town),
                    postcode = Clean(cmd.Postcode) is { } pc ? ImportMembers.Postcode(pc) : null,
                    kind = ImportMembers.EmailKind(cmd.EmailKind), now = clock.GetUtcNow(), cmd.MembershipNumber,
                }, tx);
                await tx.CommitAsync(ct);
            }
            return await mediator.Send(new GetMember.Query(cmd.MembershipNumber), ct);
        }
    }
}
