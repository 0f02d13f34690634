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
    bool Erased);

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

    public MemberView ToView() => new(MembershipNumber, FirstName, LastName, Email,
        new WorkplaceView(WorkplaceId, WorkplaceName, Employer, Region), Category, Status, ErasedAt is not null);

    public const string Select = """
        SELECT m.membership_number AS MembershipNumber, m.first_name AS FirstName, m.last_name AS LastName,
               m.email AS Email, w.id AS WorkplaceId, w.name AS WorkplaceName, w.employer AS Employer,
               w.region AS Region, m.category AS Category, m.status AS Status, m.erased_at AS ErasedAt
        FROM member m JOIN workplace w ON w.id = m.workplace_id
        """;
}
