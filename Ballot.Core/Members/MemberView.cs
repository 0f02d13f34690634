namespace Ballot.Core.Members;

public sealed record WorkplaceView(long Id, string Name, string Employer, string Region);

public sealed record MemberView(
    string MembershipNumber,
    string? FirstName,
    string? LastName,
    string? Email,
    WorkplaceView Workplace,
    string Category,
    string Status,
    bool Erased,
    ImportMembers.HomeAddress? Home = null,
    string? EmailKind = null,
    bool? EmailIsWork = null);

/// <summary>Flat row as selected; turned into <see cref="MemberView"/>.</summary>
internal sealed class MemberRow
{
    public string MembershipNumber { get; init; } = "";
    public string? FirstName { get; init; }
    public string? LastName { get; init; }
    public string? Email { get; init; }
    public long WorkplaceId { get; init; }
    public string WorkplaceName { get; init; } = "";
    public string Employer { get; init; } = "";
    public string Region { get; init; } = "";
    public string Category { get; init; } = "";
    public string Status { get; init; } = "";
    public DateTimeOffset? ErasedAt { get; init; }
    public string? AddressLine1 { get; init; }
    public string? AddressLine2 { get; init; }
    public string? AddressLine3 { get; init; }
    public string? Town { get; init; }
    public string? Postcode { get; init; }
    public string? EmailKind { get; init; }

    public MemberView ToView(WorkEmail? work = null) => new(MembershipNumber, FirstName, LastName, Email,
        new WorkplaceView(WorkplaceId, WorkplaceName, Employer, Region), Category, Status, ErasedAt is not null,
        new ImportMembers.HomeAddress(AddressLine1, AddressLine2, AddressLine3, Town, Postcode), EmailKind,
        work?.IsWork(Email, EmailKind, Employer));

    public const string Select = """
        SELECT m.membership_number AS MembershipNumber, m.first_name AS FirstName, m.last_name AS LastName,
               m.email AS Email, w.id AS WorkplaceId, w.name AS WorkplaceName, w.employer AS Employer,
               w.region AS Region, m.category AS Category, m.status AS Status, m.erased_at AS ErasedAt,
               m.address_line1 AS AddressLine1, m.address_line2 AS AddressLine2, m.address_line3 AS AddressLine3,
               m.town AS Town, m.postcode AS Postcode, m.email_kind AS EmailKind
        FROM member m JOIN workplace w ON w.id = m.workplace_id
        """;
}
