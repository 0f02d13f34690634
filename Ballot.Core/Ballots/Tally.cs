using System.Data.Common;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Ballot.Core.Data;
using Dapper;
using Ballot.Core.Ballots.Voting;

namespace Ballot.Core.Ballots;

public sealed record OptionCount(string Option, long Votes);

public sealed record QuestionResult(
    string Id, string Text, long Entitled, long VotesCast, IReadOnlyList<OptionCount> Options, long Spoiled, decimal TurnoutPercent,
    bool? MajorityYes, bool? TurnoutThresholdMet, bool? PublicServiceSupportMet, bool? Mandate);

public sealed record ConstituencyResult(string Id, string Name, long Entitled, long VotesCast, IReadOnlyList<QuestionResult> Questions);

/// <summary>
/// The count, as stored at close and hashed into the audit chain. Receipts are listed beside it, hashed here.
/// <see cref="AuditLength"/> and <see cref="AuditHead"/> anchor the chain as it stood when counted (ADR 0230).
/// </summary>
public sealed record BallotResult(
    long BallotId, string Kind, string Counting, string? RuleSet, bool ImportantPublicService, DateTimeOffset ClosedAt,
    long Entitled, long VotesCast, bool? Mandate, DateOnly? MandateExpires, DateOnly? MandateExtendableTo,
    IReadOnlyList<ConstituencyResult> Constituencies, long ReceiptsCounted, string ReceiptsHash, long AuditLength = 0, string? AuditHead = null,
    // Left out when null: a result counted before voting papers existed hashes as it did (certification recounts it).
    [property: System.Text.Json.Serialization.JsonIgnore(Condition = System.Text.Json.Serialization.JsonIgnoreCondition.WhenWritingNull)] long? VotesOnline = null,
    [property: System.Text.Json.Serialization.JsonIgnore(Condition = System.Text.Json.Serialization.JsonIgnoreCondition.WhenWritingNull)] long? VotesByPost = null)
{
    public string Serialize() => JsonSerializer.Serialize(this, StoredDefinition.Json);

    public static BallotResult Parse(string json) => JsonSerializer.Deserialize<BallotResult>(json, StoredDefinition.Json)!;

    public static string HashOf(string json) => Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(json)));
}

/// <summary>Counts a closed ballot's papers per constituency and question, and applies the rule set's thresholds.</summary>
public static class Tally
{
    /// <summary>How many papers of one constituency carry one set of answers.</summary>
    internal sealed class Group
    {
        public string Constituency { get; init; } = "";
        public string Answers { get; init; } = "";
        public long N { get; init; }
    }

    private sealed class Entitled
    {
        public string Constituency { get; init; } = "";
        public string Name { get; init; } = "";
        public long N { get; init; }
    }

    public static async Task<BallotResult> CountAsync(DbConnection conn, DbTransaction? tx, BallotPapers papers, BallotRow ballot, RuleSet? rules, DateTimeOffset closedAt)
    {
        // Papers with the same answers in the same constituency are counted together; only the few distinct
        // combinations are parsed here. The receipts are hashed in the same pass on SQLite (see PaperScan).
        var (groups, receipts, receiptsHash) = await papers.CountAsync(conn, tx, ballot.Id);
        var constituencyRows = (await conn.QueryAsync<Entitled>("""
            SELECT constituency, name, entitled AS n FROM ballot_constituency WHERE ballot_id = @id
            """, new { id = ballot.Id }, tx)).ToList();
        var entitled = constituencyRows.ToDictionary(e => e.Constituency, e => e.N, StringComparer.Ordinal);
        var names = constituencyRows.ToDictionary(e => e.Constituency, e => e.Name, StringComparer.Ordinal);

        var questions = ballot.Def.Questions;
        var ips = ballot.Def.IndustrialAction?.ImportantPublicService ?? false;
        var parsed = new Dictionary<string, Dictionary<string, string>>(StringComparer.Ordinal);
        var byConstituency = groups.GroupBy(g => g.Constituency, StringComparer.Ordinal).ToDictionary(
            g => g.Key,
            g => g.Select(x => (Answers: parsed.TryGetValue(x.Answers, out var a) ? a : parsed[x.Answers] = JsonSerializer.Deserialize<Dictionary<string, string>>(x.Answers)!, x.N)).ToList(),
            StringComparer.Ordinal);
        var constituencies = new List<ConstituencyResult>();
        foreach (var c in entitled.Keys.OrderBy(k => names[k], StringComparer.OrdinalIgnoreCase).ThenBy(k => k, StringComparer.Ordinal))
        {
            var mine = byConstituency.GetValueOrDefault(c) ?? [];
            var cast = mine.Sum(g => g.N);
            var results = new List<QuestionResult>();
            foreach (var q in questions)
            {
                var counts = q.Options.Select(o => new OptionCount(o, mine.Where(g => g.Answers.GetValueOrDefault(q.Id) == o).Sum(g => g.N))).ToList();
                var spoiled = cast - counts.Sum(o => o.Votes);
                var turnout = entitled[c] == 0 ? 0m : Math.Floor(cast * 10000m / entitled[c]) / 100m;
                bool? majority = null, turnoutMet = null, supportMet = null, mandate = null;
                if (rules is not null)
                {
                    var yes = counts.First(o => o.Option == "Yes").Votes;
                    var no = counts.First(o => o.Option == "No").Votes;
                    majority = yes > no;                                  // s.226(2)(b)
                    turnoutMet = rules.TurnoutMet(entitled[c], cast);
                    supportMet = rules.PublicServiceSupportMet(ips, entitled[c], yes);
                    mandate = majority.Value && turnoutMet != false && supportMet != false;
                }
                results.Add(new QuestionResult(q.Id, q.Text, entitled[c], cast, counts, spoiled, turnout, majority, turnoutMet, supportMet, mandate));
            }
            constituencies.Add(new ConstituencyResult(c, names[c], entitled[c], cast, results));
        }
        // A ballot that sent voting papers reports both channels (s.231, s.231A): participation counts, not choices by channel.
        long? byPost = await conn.ExecuteScalarAsync<long>("SELECT COUNT(*) FROM ballot_voting_paper WHERE ballot_id = @id", new { id = ballot.Id }, tx) == 0
            ? null
            : await conn.ExecuteScalarAsync<long>("SELECT COUNT(*) FROM ballot_voting_paper WHERE ballot_id = @id AND returned = 'counted'", new { id = ballot.Id }, tx);
        long? online = byPost is null ? null : groups.Sum(g => g.N) - byPost.Value;
        bool? anyMandate = rules is null ? null : constituencies.Any(c => c.Questions.Any(q => q.Mandate == true));
        return new BallotResult(ballot.Id, ballot.Kind, ballot.Counting, rules?.Code, ips, closedAt,
            entitled.Values.Sum(), groups.Sum(g => g.N), anyMandate,
            anyMandate == true ? rules!.MandateExpires(closedAt) : null,
            anyMandate == true && rules!.MandateExtensionMonths > 0 ? rules.MandateExpires(closedAt).AddMonths(rules.MandateExtensionMonths) : null,
            constituencies, receipts, receiptsHash) with { VotesOnline = online, VotesByPost = byPost };
    }

    /// <summary>SHA-256 over the sorted receipts, one per line, so anyone holding the published list can check it.</summary>
    public static async Task<(long Count, string Hash)> HashReceiptsAsync(DbConnection conn, DbTransaction? tx, long ballotId)
    {
        using var sha = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        long n = 0;
        await using var cmd = conn.CreateCommand();
        cmd.Transaction = tx;
        cmd.CommandText = "SELECT receipt FROM ballot_paper WHERE ballot_id = @id ORDER BY receipt";
        cmd.AddParameter("id", ballotId);
        await using var reader = await cmd.ExecuteReaderAsync();
        var line = new byte[64];
        while (await reader.ReadAsync())
        {
            var r = reader.GetString(0);
            var len = Encoding.ASCII.GetBytes(r, line);
            line[len] = (byte)'\n';
            sha.AppendData(line, 0, len + 1);
            n++;
        }
        return (n, Convert.ToHexStringLower(sha.GetHashAndReset()));
    }
}
