using System.Security.Cryptography;
using Ballot.Core.Ballots.Voting;
using Ballot.Core.Sealing;

namespace Ballot.Tests.Ballots;

using Scalar = Ballot.Core.Sealing.Scalar;

/// <summary>Papers written straight to ballot_paper by tests that need many of them (the vote path has its own tests).</summary>
public static class TestPapers
{
    /// <summary>
    /// A paper holding these choices (option index per question, the last "spoiled") as ciphertexts with no randomness:
    /// (0, m·G). They add up and decrypt like any other, at a fraction of the cost; their proofs are left empty, so a
    /// board verifier would refuse them. The tracker is random, as unique as a real one.
    /// </summary>
    public static (string Tracker, byte[] Sealed) Cheap(IReadOnlyList<int> optionCounts, IReadOnlyList<int> chosen)
    {
        var zero = Scalar.Zero;
        var answers = optionCounts.Select((k, q) => new SealedAnswer(
            [.. Enumerable.Range(0, k).Select(i => new Ciphertext(Element.Identity, i == chosen[q] ? Group.Generator.Value : Element.Identity))],
            [.. Enumerable.Range(0, k).Select(_ => new ZeroOrOneProof(zero, zero, zero, zero))],
            new EqualityProof(zero, zero))).ToList();
        return (Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(32)), SealedPaper.Encode(answers));
    }

    /// <summary>A real sealed paper, as the vote path would write it, under the ballot's stored key.</summary>
    public static async Task<SealedVote> SealedAsync(Infrastructure.ApiHost api, long ballotId, IReadOnlyDictionary<string, string?> answers)
    {
        var sealer = Microsoft.Extensions.DependencyInjection.ServiceProviderServiceExtensions.GetRequiredService<BallotSealer>(api.App.Services);
        var papers = Microsoft.Extensions.DependencyInjection.ServiceProviderServiceExtensions.GetRequiredService<PaperCache>(api.App.Services);
        var paper = await papers.GetAsync(ballotId, default);
        return await sealer.SealAsync(ballotId, paper.Questions, answers);
    }

    /// <summary>
    /// What the ballot's stored papers hold, opened one by one with the first t test trustees' shares (which no one
    /// holds together outside a test): each paper's answers as {"question":"option"|"spoiled"}, in question order.
    /// </summary>
    public static async Task<List<string>> OpenAsync(Infrastructure.ApiHost api, long ballotId)
    {
        var trustees = Infrastructure.TestTrustees.For(api).Of(ballotId);
        var settings = trustees[0].Settings;
        var paper = await Microsoft.Extensions.DependencyInjection.ServiceProviderServiceExtensions.GetRequiredService<PaperCache>(api.App.Services).GetAsync(ballotId, default);
        await using var conn = await api.OpenAsync();
        var stored = (await Dapper.SqlMapper.QueryAsync<byte[]>(conn, "SELECT sealed FROM ballot_paper WHERE ballot_id = @ballotId", new { ballotId })).ToList();
        var opened = new List<string>();
        foreach (var bytes in stored)
        {
            var answers = SealedPaper.Decode(bytes);
            var flat = answers.SelectMany(a => a.Options).ToList();
            var context = SealingContext.ForBallot(ballotId);
            var values = ThresholdDecryption.Count(settings, context, trustees[0].Key, flat,
                [.. trustees.Take(settings.Threshold).Select(t => t.Decrypt(context, flat))], 1).ToList();
            var json = new System.Text.Json.Nodes.JsonObject();
            var at = 0;
            for (var q = 0; q < answers.Count; q++)
            {
                var k = answers[q].Options.Count;
                var chosen = values.Skip(at).Take(k).ToList().IndexOf(1);
                json[paper.Questions[q].Id] = chosen < paper.Questions[q].Options.Count ? paper.Questions[q].Options[chosen] : "spoiled";
                at += k;
            }
            opened.Add(json.ToJsonString());
        }
        return opened;
    }
}
