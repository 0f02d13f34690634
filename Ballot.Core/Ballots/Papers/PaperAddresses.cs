using System.Data.Common;
using Dapper;

namespace Ballot.Core.Ballots.Papers;

/// <summary>
/// Where each voting paper goes: the elector's name and home address as the register had them when the ballot opened
/// (ballot_paper_address). Print runs read only these, so a change of address after opening, by an organiser or an
/// import, does not redirect a paper (ADR 0620, as ADR 0220 does for emails).
/// </summary>
public static class PaperAddresses
{
    /// <summary>Inside the opening transaction, after the electors and the paper-only electors are recorded; returns how many.</summary>
    public static async Task<int> FreezeAsync(DbConnection conn, DbTransaction tx, long ballotId, string votingMethod) =>
        await conn.ExecuteAsync($"""
            INSERT INTO ballot_paper_address (ballot_id, member_id, first_name, last_name, address_line1, address_line2, address_line3, town, postcode)
            SELECT e.ballot_id, e.member_id, m.first_name, m.last_name, m.address_line1, m.address_line2, m.address_line3, m.town, m.postcode
            FROM ballot_elector e JOIN member m ON m.id = e.member_id
            WHERE e.ballot_id = @ballotId
            {(votingMethod == "electronic" ? "AND EXISTS (SELECT 1 FROM ballot_paper_only p WHERE p.ballot_id = e.ballot_id AND p.member_id = e.member_id)" : "")}
            """, new { ballotId }, tx, commandTimeout: 600);
}
