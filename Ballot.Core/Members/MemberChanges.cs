using System.Data.Common;
using Ballot.Core.Ballots;
using Ballot.Core.Data;
using Ballot.Core.Mail;
using Ballot.Core.Staff;
using Dapper;

namespace Ballot.Core.Members;

/// <summary>
/// The register's audit trail (<c>member_change</c>): every change to a member's email, status, home address or email
/// kind, and every erasure, with who made it. A change to an elector of an open ballot also enters that ballot's audit
/// chain (membership number and which field, never an address) and is told to the email address the member had. See
/// docs/decisions/0220-frozen-addresses-and-member-history.md and 0620-paper-addresses-frozen-at-opening.md.
/// </summary>
public static class MemberChanges
{
    public sealed record Change(long MemberId, string Field, string? OldValue, string? NewValue);

    /// <summary>
    /// The changes of home address and email kind between two states of a member (null: that part is not being set).
    /// An address is recorded as one value, its parts joined by ", ".
    /// </summary>
    public static IEnumerable<Change> OfHome(long memberId, ImportMembers.HomeAddress? oldHome, ImportMembers.HomeAddress? newHome,
        string? oldKind, string? newKind, bool kindSet)
    {
        if (newHome is not null && newHome != (oldHome ?? new ImportMembers.HomeAddress(null, null, null, null, null)))
            yield return new Change(memberId, "address", AddressText(oldHome), AddressText(newHome));
        if (kindSet && oldKind != newKind) yield return new Change(memberId, "email_kind", oldKind, newKind);
    }

    /// <summary>"1 Elm Road, Headingley, Leeds, LS6 2BB"; null when the register holds no part of it.</summary>
    public static string? AddressText(ImportMembers.HomeAddress? h)
    {
        if (h is null) return null;
        var parts = new[] { h.Line1, h.Line2, h.Line3, h.Town, h.Postcode }.Where(p => !string.IsNullOrWhiteSpace(p)).ToList();
        return parts.Count == 0 ? null : string.Join(", ", parts);
    }

    /// <summary>At most this many membership numbers are listed in one ballot audit entry; the count is always given.</summary>
    public const int ListedInAudit = 1000;

    /// <summary>
    /// Called first in every transaction that changes the register. On PostgreSQL it takes the register writers' lock
    /// (SQLite's write transaction already serialises them), so the changes made in this transaction are exactly the
    /// rows after the id it returns, and an opening ballot freezes addresses either before or after this change.
    /// </summary>
    public static async Task<long> BeginAsync(DbConnection conn, Dialect dialect, DbTransaction tx)
    {
        await LockRegisterAsync(conn, dialect, tx);
        return await conn.ExecuteScalarAsync<long>("SELECT coalesce(max(id), 0) FROM member_change", transaction: tx);
    }

    /// <summary>
    /// The register writers' lock, held to the end of the transaction: on PostgreSQL an advisory lock shared by every
    /// register write and by a ballot's opening (which freezes electors' addresses); SQLite's write transaction already
    /// serialises them.
    /// </summary>
    public static Task LockRegisterAsync(DbConnection conn, Dialect dialect, DbTransaction tx) => dialect.LockAsync(conn, tx, 7001);

    /// <summary>Writes the changes: a prepared statement on SQLite, binary COPY on PostgreSQL (an import may change 450,000).</summary>
    public static async Task RecordAsync(DbConnection conn, Dialect dialect, DbTransaction tx, IReadOnlyCollection<Change> changes, string via,
        StaffActor by, DateTimeOffset now, CancellationToken ct)
    {
        if (changes.Count == 0) return;
        await dialect.InsertManyAsync(conn, tx, "member_change",
            ["member_id", "at", "field", "old_value", "new_value", "via", "staff_kind", "staff_id", "staff_name", "staff_role"], changes,
            (c, row) =>
            {
                row.Write(c.MemberId);
                row.Write(now);
                foreach (var v in (string?[])[c.Field, c.OldValue, c.NewValue, via, by.Kind, by.Id, by.Name, by.Role]) row.Write(v);
            }, ct);
    }

    private sealed class Affected
    {
        public string Number { get; init; } = "";
        public string Field { get; init; } = "";
    }

    /// <summary>
    /// For the changes recorded after <paramref name="after"/> in this transaction: an "elector-changed" entry in the
    /// audit chain of every open ballot they touch, and one notice letter to each such elector's address before the
    /// change (none after an erasure: no address is kept). Returns how many notices were queued.
    /// </summary>
    public static async Task<long> AnnounceAsync(DbConnection conn, DbTransaction tx, long after, string via, StaffActor by, DateTimeOffset now)
    {
        var open = (await conn.QueryAsync<long>("SELECT id FROM ballot WHERE status = 'open' ORDER BY id", transaction: tx)).ToList();
        var fields = new SortedSet<string>(StringComparer.Ordinal);
        foreach (var ballotId in open)
        {
            var affected = (await conn.QueryAsync<Affected>("""
                SELECT m.membership_number AS Number, c.field AS Field
                FROM member_change c
                JOIN ballot_elector e ON e.ballot_id = @ballotId AND e.member_id = c.member_id
                JOIN member m ON m.id = c.member_id
                WHERE c.id > @after
                ORDER BY c.id
                """, new { ballotId, after }, tx)).ToList();
            if (affected.Count == 0) continue;
            var members = affected.Select(a => a.Number).Distinct(StringComparer.Ordinal).ToList();
            int Count(string field) => affected.Count(a => a.Field == field);
            fields.UnionWith(affected.Select(a => a.Field));
            await Audit.AppendAsync(conn, tx, ballotId, "elector-changed", by.AuditName, new
            {
                via,
                electors = members.Count,
                email = Count("email"),
                status = Count("status"),
                address = Count("address"),
                emailKind = Count("email_kind"),
                erased = Count("erased"),
                members = members.Take(ListedInAudit).ToList(),
            }, now);
        }
        fields.Remove("erased");
        if (fields.Count == 0) return 0;

        // The address before the change for an email change, else the address the register holds; erased members have none.
        var letter = Notice(now, string.Join(via == "api" ? " and " : " or ", fields.Select(FieldName)), via);
        var mailingId = await MailQueue.EnqueueAsync(conn, tx,
            new NewMailing("statutory", letter.Subject, letter.Body, null, Source, null, "change-notice", now),
            """
            SELECT m.id AS member_id,
                   CASE WHEN EXISTS (SELECT 1 FROM member_change x WHERE x.member_id = m.id AND x.id > @after AND x.field = 'email')
                        THEN (SELECT x.old_value FROM member_change x WHERE x.member_id = m.id AND x.id > @after AND x.field = 'email' ORDER BY x.id LIMIT 1)
                        ELSE m.email END AS email
            FROM member m
            WHERE m.id IN (SELECT c.member_id FROM member_change c WHERE c.id > @after AND c.field <> 'erased')
              AND m.erased_at IS NULL
              AND EXISTS (SELECT 1 FROM ballot b JOIN ballot_elector e ON e.ballot_id = b.id AND e.member_id = m.id WHERE b.status = 'open')
            """, new { after });
        return await conn.ExecuteScalarAsync<long>("SELECT COUNT(*) FROM mailing_recipient WHERE mailing_id = @mailingId", new { mailingId }, tx);
    }

    private static string FieldName(string field) => field switch
    {
        "email" => "email address",
        "address" => "home address",
        "email_kind" => "record of whether your email address is personal or work",
        _ => "membership status",
    };

    /// <summary>
    /// The notice to the address a ballot's letters go to. Fixed text and the member's own register fields only: it
    /// names no new address (the change may be genuine) and no staff member.
    /// </summary>
    public static Letters.Letter Notice(DateTimeOffset at, string what, string via)
    {
        var how = via == "import" ? "by an import of the member register" : "by a member of the union's staff";
        var body = $$$"""
            Dear {{ member.first_name }},

            On {{{Letters.When(at)}}} the {{{what}}} the union holds for you (membership number {{ member.membership_number }}) was changed {{{how}}}.

            You are entitled to vote in a ballot that is open now. Its letters, reminders included, still come to this email
            address, and any voting paper to the home address, that the union held when the ballot opened; whether the letters
            carry a link to vote online was settled then too. A change made since does not move them.

            If you did not ask for this change, tell the union and the ballot's independent scrutineer at once, quoting your
            membership number. The change is recorded in the ballot's audit trail, which the scrutineer reads.
            """;
        return new Letters.Letter("A change to your membership record while a ballot is open", body);
    }

    /// <summary>The mailing source of notices about the register: read-only in the mailing API, like a ballot's letters (ADR 0110).</summary>
    public const string Source = "register";
}
