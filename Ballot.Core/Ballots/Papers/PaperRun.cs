using System.Data.Common;
using Ballot.Core.Common;
using Ballot.Core.Data;
using Dapper;

namespace Ballot.Core.Ballots.Papers;

/// <summary>
/// Who is sent a voting paper, and the paper's serial number. Postal and hybrid ballots: every elector. Electronic: only
/// the electors whose letter carries no link (ballot_paper_only, written when the ballot opens). Each goes to the name and
/// home address frozen when the ballot opened (ballot_paper_address, ADR 0620). Serials are given once,
/// in postcode order (the print house's and the post's order), and kept: a reprint prints the same numbers.
/// </summary>
public static class PaperRun
{
    private sealed class Recipient
    {
        public long MemberId { get; init; }
        public long Serial { get; init; }
        public string? FirstName { get; init; }
        public string? LastName { get; init; }
        public string? AddressLine1 { get; init; }
        public string? AddressLine2 { get; init; }
        public string? AddressLine3 { get; init; }
        public string? Town { get; init; }
        public string? Postcode { get; init; }
    }

    // The addressee frozen when the ballot opened (PaperAddresses), never the member row as it is now.
    private const string Columns = """
        a.first_name AS FirstName, a.last_name AS LastName, a.address_line1 AS AddressLine1, a.address_line2 AS AddressLine2,
        a.address_line3 AS AddressLine3, a.town AS Town, a.postcode AS Postcode
        """;

    /// <summary>The papers of the ballot in serial order, numbering them first if this is the ballot's first print run.</summary>
    public static async Task<List<PrintPaper>> IssueAsync(Db db, DbConnection conn, BallotRow ballot, Credentials credentials, string publicBaseUrl, CancellationToken ct)
    {
        var online = ballot.VotingMethod != "postal";
        var ballotCredentials = online ? credentials.ForBallot(ballot.Id) : null;
        if (online)
        {
            // A key other than the database's would print links and codes no process accepts.
            await using var check = await db.OpenAsync(ct);
            await credentials.EnsureMatchesAsync(check, null);
        }
        if (await conn.ExecuteScalarAsync<long>("SELECT COUNT(*) FROM ballot_voting_paper WHERE ballot_id = @id", new { id = ballot.Id }) == 0)
            await NumberAsync(db, conn, ballot, ballotCredentials, ct);
        var rows = await conn.QueryAsync<Recipient>($"""
            SELECT v.serial AS Serial, v.member_id AS MemberId, {Columns}
            FROM ballot_voting_paper v JOIN ballot_paper_address a ON a.ballot_id = v.ballot_id AND a.member_id = v.member_id
            WHERE v.ballot_id = @id ORDER BY v.serial
            """, new { id = ballot.Id });
        var baseUrl = publicBaseUrl.TrimEnd('/') + "/vote/";
        return rows.Select(r =>
        {
            var credential = ballotCredentials?.For(r.MemberId);
            return new PrintPaper(r.Serial, r.MemberId, Name(r), [r.AddressLine1 ?? "", r.AddressLine2 ?? "", r.AddressLine3 ?? "", r.Town ?? ""], r.Postcode ?? "")
            {
                VoteUrl = credential is null ? null : baseUrl + credential,
                ShortCode = credential is null ? null : PaperCodes.ShortCode(credential),
            };
        }).ToList();
    }

    private static string Name(Recipient r) => string.Join(' ', new[] { r.FirstName, r.LastName }.Where(s => !string.IsNullOrWhiteSpace(s)));

    /// <summary>A postcode as sorted; papers without one go last.</summary>
    private static string SortKey(string? postcode)
    {
        if (string.IsNullOrWhiteSpace(postcode)) return "\uffff";
        // "ls11ab" and "LS1 1AB" alike: outward code, one space, inward code (its last three characters).
        var compact = new string(postcode.Where(c => !char.IsWhiteSpace(c)).Select(char.ToUpperInvariant).ToArray());
        return compact.Length > 3 ? compact[..^3] + " " + compact[^3..] : compact;
    }

    private static async Task NumberAsync(Db db, DbConnection conn, BallotRow ballot, Credentials.BallotCredentials? ballotCredentials, CancellationToken ct)
    {
        // The frozen addresses are exactly the electors sent a paper: all of a postal or hybrid ballot's, the paper-only ones of an electronic ballot.
        var recipients = (await conn.QueryAsync<Recipient>($"""
            SELECT a.member_id AS MemberId, {Columns} FROM ballot_paper_address a WHERE a.ballot_id = @id
            """, new { id = ballot.Id })).ToList();
        var ordered = recipients
            .OrderBy(r => SortKey(r.Postcode), StringComparer.Ordinal)
            .ThenBy(r => r.LastName ?? "", StringComparer.OrdinalIgnoreCase)
            .ThenBy(r => r.MemberId)
            .Select((r, i) => (Serial: (long)i + 1, r.MemberId,
                ShortCodeHash: ballotCredentials is null ? null : PaperCodes.Hash(PaperCodes.ShortCode(ballotCredentials.For(r.MemberId)))))
            .ToList();
        await using var tx = await db.BeginWriteAsync(conn, ct);
        // Another run of the same job may have numbered them meanwhile: the first numbering stands.
        if (await conn.ExecuteScalarAsync<long>("SELECT COUNT(*) FROM ballot_voting_paper WHERE ballot_id = @id", new { id = ballot.Id }, tx) > 0) return;
        await db.Dialect.InsertManyAsync(conn, tx, "ballot_voting_paper", ["ballot_id", "serial", "member_id", "short_code_hash"], ordered,
            (r, row) =>
            {
                row.Write(ballot.Id);
                row.Write((int)r.Serial);
                row.Write(r.MemberId);
                row.Write(r.ShortCodeHash);
            }, ct);
        await tx.CommitAsync(ct);
    }
}
