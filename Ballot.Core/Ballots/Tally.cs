using System.Data.Common;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Ballot.Core.Sealing;
using Dapper;

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

/// <summary>
/// The result from the decrypted totals of a closed ballot's sums (ADR 0904): per constituency and question, the count
/// of each option and of "spoiled" (the last), and the rule set's thresholds. Votes cast per constituency are its papers,
/// which every question's totals must add up to (each sealed answer is proved to hold exactly one choice).
/// </summary>
public static class Tally
{
    private sealed class Entitled
    {
        public string Constituency { get; init; } = "";
        public string Name { get; init; } = "";
        public long N { get; init; }
    }

    private sealed class Cast
    {
        public string Constituency { get; init; } = "";
        public long N { get; init; }
    }

    public static async Task<BallotResult> CountAsync(DbConnection conn, DbTransaction? tx, BallotRow ballot, RuleSet? rules, DateTimeOffset closedAt,
        IReadOnlyList<BoardTotal> totals)
    {
        var constituencyRows = (await conn.QueryAsync<Entitled>("""
            SELECT constituency, name, entitled AS n FROM ballot_constituency WHERE ballot_id = @id
            """, new { id = ballot.Id }, tx)).ToList();
        var entitled = constituencyRows.ToDictionary(e => e.Constituency, e => e.N, StringComparer.Ordinal);
        var names = constituencyRows.ToDictionary(e => e.Constituency, e => e.Name, StringComparer.Ordinal);
        var papers = (await conn.QueryAsync<Cast>("SELECT constituency, COUNT(*) AS n FROM ballot_paper WHERE ballot_id = @id GROUP BY constituency",
            new { id = ballot.Id }, tx)).ToDictionary(c => c.Constituency, c => c.N, StringComparer.Ordinal);
        var (receipts, receiptsHash) = await Count.PaperSums.HashTrackersAsync(conn, tx, ballot.Id);
        var byKey = totals.ToDictionary(t => (t.Constituency, t.Question));

        var questions = ballot.Def.Questions;
        var ips = ballot.Def.IndustrialAction?.ImportantPublicService ?? false;
        var constituencies = new List<ConstituencyResult>();
        foreach (var c in entitled.Keys.OrderBy(k => names[k], StringComparer.OrdinalIgnoreCase).ThenBy(k => k, StringComparer.Ordinal))
        {
            var cast = papers.GetValueOrDefault(c);
            var results = new List<QuestionResult>();
            for (var qi = 0; qi < questions.Count; qi++)
            {
                var q = questions[qi];
                if (!byKey.TryGetValue((c, qi), out var total) || total.Options.Count != q.Options.Count + 1)
                    throw new Common.Conflict($"There is no total for constituency '{names[c]}', question '{q.Id}'.");
                if (total.Options.Sum() != cast)
                    throw new Common.Conflict($"Constituency '{names[c]}', question '{q.Id}': the totals add up to {total.Options.Sum()} but {cast} papers were cast.");
                var counts = q.Options.Select((o, k) => new OptionCount(o, total.Options[k])).ToList();
                var spoiled = total.Options[^1];
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
        var votesCast = papers.Values.Sum();
        // A ballot that sent voting papers reports both channels (s.231, s.231A): participation counts, not choices by channel.
        long? byPost = await conn.ExecuteScalarAsync<long>("SELECT COUNT(*) FROM ballot_voting_paper WHERE ballot_id = @id", new { id = ballot.Id }, tx) == 0
            ? null
            : await conn.ExecuteScalarAsync<long>("SELECT COUNT(*) FROM ballot_voting_paper WHERE ballot_id = @id AND returned = 'counted'", new { id = ballot.Id }, tx);
        long? online = byPost is null ? null : votesCast - byPost.Value;
        bool? anyMandate = rules is null ? null : constituencies.Any(c => c.Questions.Any(q => q.Mandate == true));
        return new BallotResult(ballot.Id, ballot.Kind, ballot.Counting, rules?.Code, ips, closedAt,
            entitled.Values.Sum(), votesCast, anyMandate,
            anyMandate == true ? rules!.MandateExpires(closedAt) : null,
            anyMandate == true && rules!.MandateExtensionMonths > 0 ? rules.MandateExpires(closedAt).AddMonths(rules.MandateExtensionMonths) : null,
            constituencies, receipts, receiptsHash) with { VotesOnline = online, VotesByPost = byPost };
    }
}
