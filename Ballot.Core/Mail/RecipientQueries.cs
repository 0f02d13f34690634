namespace Ballot.Core.Mail;

/// <summary>The register fields a letter is rendered from, as one SELECT shared by the preview and the test copy.</summary>
internal static class RecipientQueries
{
    public const string Member = """
        SELECT m.id AS MemberId, m.membership_number AS MembershipNumber, m.first_name AS FirstName, m.last_name AS LastName,
               coalesce(m.email, '') AS Email, w.name AS Workplace, w.employer AS Employer, w.region AS Region, c.label AS Category
        FROM member m
        JOIN workplace w ON w.id = m.workplace_id
        LEFT JOIN member_category c ON c.code = m.category
        """;
}
