using System.Net;
using System.Text.Json.Nodes;
using Ballot.Core.Ballots.Voting;
using Ballot.Core.Sealing;
using Ballot.Tests.Infrastructure;
using Dapper;
using Microsoft.Extensions.DependencyInjection;

namespace Ballot.Tests.Ballots;

/// <summary>
/// ADR 0907: the vote path keeps encrypted running sums per writer and constituency, in the transaction of the papers
/// they add up, and closing merges them instead of decoding every paper. Several writers (two more hosts on the same
/// database, one stopped and replaced as a restart would, and a store a test opens), a claim that loses inside a batch,
/// and a paper written by another path (which closing sums from the papers). One host for the fixture.
/// </summary>
public sealed class RunningSumTests
{
    private ApiHost _api = null!;
    private BallotKit _kit = null!;

    [OneTimeSetUp]
    public async Task Start()
    {
        _api = await ApiHost.StartAsync();
        _kit = new BallotKit(_api);
        await _kit.ImportMembers(MemberCsv.Generate(24, schools: 4));
    }

    [OneTimeTearDown]
    public async Task Stop() => await _api.DisposeAsync();

    private static readonly string[] Boycott = ["Yes", "No", ""];

    /// <summary>Member i's answers: boycott Yes, No or blank (spoiled) by i mod 3; timing left blank on every third.</summary>
    private static string Answers(int i) =>
        $$"""{"boycott":"{{Boycott[i % 3]}}","timing":"{{(i % 3 == 2 ? "" : "Spring term")}}"}""";

    [Test]
    public async Task Running_sums_from_several_writers_and_a_restart_add_up_to_every_paper_and_count_each_vote_once()
    {
        var id = await _kit.OpenConsultative(counting: "per-workplace");
        var voted = new List<int>();

        // Host A: eight votes at once (a few batches), then the sums of its writers account for every paper. A host
        // writes through one store per lane (ADR 0912: two on PostgreSQL), each a writer of its own.
        var lanes = _api.App.Services.GetRequiredService<VoteStores>().Lanes;
        await Task.WhenAll(Enumerable.Range(1, 8).Select(i => _kit.VoteOk(id, $"M{i:D6}", Answers(i))));
        voted.AddRange(Enumerable.Range(1, 8));
        await AssertRunningSumsAccountForEveryPaper(id, writers: (1, lanes));

        // Host B on the same database (a second process), then stopped; host C in its place (a restart); A again.
        foreach (var members in new[] { Enumerable.Range(9, 4), Enumerable.Range(13, 4) })
        {
            var other = await ApiHost.StartAsync(database: _api.Database);
            try
            {
                var kit = new BallotKit(other);
                await Task.WhenAll(members.Select(i => kit.VoteOk(id, $"M{i:D6}", Answers(i))));
                voted.AddRange(members);
            }
            finally
            {
                other.Client.Dispose();
                await other.App.StopAsync();
                await other.App.DisposeAsync();
            }
        }
        foreach (var i in new[] { 17, 18 }) await _kit.VoteOk(id, $"M{i:D6}", Answers(i));
        voted.AddRange([17, 18]);
        await AssertRunningSumsAccountForEveryPaper(id, writers: (3, 3 * lanes));

        // One batch of a store of its own: M000001 again (its claim loses), M000021 in M000001's school, M000022.
        var stores = _api.App.Services.GetRequiredService<VoteStores>();
        await using (var store = await stores.OpenAsync())
        {
            var batch = new List<PendingVote>();
            foreach (var i in new[] { 1, 21, 22 })
                batch.Add(new PendingVote(await _kit.SealedVote(id, $"M{i:D6}", JsonAnswers(i))));
            await store.WriteAsync(batch, _kit.Now);
            var outcomes = await Task.WhenAll(batch.Select(v => v.Task));
            Assert.That(outcomes.Select(o => o.Outcome), Is.EqualTo(new[] { VoteOutcome.AlreadyVoted, VoteOutcome.Recorded, VoteOutcome.Recorded }));
        }
        voted.AddRange([21, 22]);
        await AssertRunningSumsAccountForEveryPaper(id, writers: (4, 3 * lanes + 1));

        // M000019's vote written by another path (its claim and a paper, no running sum): School 3 is summed from its papers.
        var m19 = await _kit.MemberId("M000019");
        var (tracker, cheap) = TestPapers.Cheap([3, 4], [1, 1]);
        await using (var conn = await _api.OpenAsync())
        {
            await conn.ExecuteAsync("UPDATE ballot_elector SET voted = 1 WHERE ballot_id = @id AND member_id = @m19", new { id, m19 });
            await conn.ExecuteAsync("""
                INSERT INTO ballot_paper (ballot_id, tracker, constituency, sealed)
                SELECT ballot_id, @tracker, constituency, @cheap FROM ballot_elector WHERE ballot_id = @id AND member_id = @m19
                """, new { id, m19, tracker, cheap });
        }

        var view = await _kit.CloseAndCount(id);
        Assert.That((string)view["status"]!, Is.EqualTo("closed"));
        Assert.That(await _kit.Scalar<long>("SELECT COUNT(*) FROM ballot_running_sum WHERE ballot_id = @id", new { id }), Is.Zero, "gone once the sums are saved");
        Assert.That(_api.Logs.All, Does.Contain($"1 of ballot {id}'s 4 constituencies are summed from their papers"));

        // The result is the votes cast, each once, and M000019's (boycott No, as Answers(19)) by the other path.
        using var exec = await _api.ClientFor(Ballot.Core.Staff.Roles.Executive);
        var result = (await (await (await exec.GetAsync($"/api/ballots/{id}/result")).AssertStatus(HttpStatusCode.OK)).ReadJson())["result"]!;
        voted.Add(19);
        Assert.That((long)result["votesCast"]!, Is.EqualTo(voted.Count));
        foreach (var school in Enumerable.Range(0, 4))
        {
            var mine = voted.Where(i => i % 4 == school).ToList();
            var boycott = result["constituencies"]!.AsArray().Single(c => (string)c!["name"]! == $"School {school} (Employer {school % 3})")!["questions"]!
                .AsArray().Single(q => (string)q!["id"]! == "boycott")!;
            Assert.That(boycott["options"]!.AsArray().Select(o => (long)o!["votes"]!).Append((long)boycott["spoiled"]!),
                Is.EqualTo(new long[] { mine.Count(i => i % 3 == 0), mine.Count(i => i % 3 == 1), mine.Count(i => i % 3 == 2) }), $"School {school}");
        }
    }

    private static Dictionary<string, string?> JsonAnswers(int i) =>
        JsonNode.Parse(Answers(i))!.AsObject().ToDictionary(p => p.Key, p => (string?)p.Value);

    /// <summary>
    /// The stored running sums, merged over writers, are per constituency exactly the sums of its papers in
    /// ballot_paper, with as many papers; and they were written by this many writers.
    /// </summary>
    private async Task AssertRunningSumsAccountForEveryPaper(long id, (int Least, int Most) writers)
    {
        await using var conn = await _api.OpenAsync();
        var running = (await conn.QueryAsync<(string Constituency, string Writer, long Papers, byte[] Ciphertexts)>(
            "SELECT constituency, writer, papers, ciphertexts FROM ballot_running_sum WHERE ballot_id = @id", new { id })).ToList();
        var papers = (await conn.QueryAsync<(string Constituency, byte[] Sealed)>(
            "SELECT constituency, sealed FROM ballot_paper WHERE ballot_id = @id", new { id })).ToList();
        Assert.That(running.Select(r => r.Writer).Distinct().Count(), Is.InRange(writers.Least, writers.Most), "writers");
        var fromPapers = papers.GroupBy(p => p.Constituency).ToDictionary(g => g.Key,
            g => (N: g.LongCount(), Sum: Encode(g.Select(p => SealedPaper.Decode(p.Sealed).SelectMany(a => a.Options).ToList()))));
        var fromRunning = running.GroupBy(r => r.Constituency).ToDictionary(g => g.Key,
            g => (N: g.Sum(r => r.Papers), Sum: Encode(g.Select(r => Affine(r.Ciphertexts)))));
        Assert.That(fromRunning.Keys, Is.EquivalentTo(fromPapers.Keys));
        foreach (var (constituency, expected) in fromPapers)
            Assert.That(fromRunning[constituency], Is.EqualTo(expected), constituency);
    }

    private static List<Ciphertext> Affine(byte[] bytes) =>
        [.. Enumerable.Range(0, bytes.Length / 128).Select(k => new Ciphertext(Element.DecodeAffine(bytes.AsSpan(k * 128, 64)), Element.DecodeAffine(bytes.AsSpan(k * 128 + 64, 64))))];

    /// <summary>Option by option sums, encoded (the canonical compressed form) so that equal sums compare equal.</summary>
    private static string Encode(IEnumerable<List<Ciphertext>> papers) =>
        Convert.ToHexString(papers.Aggregate((a, b) => [.. a.Zip(b, (x, y) => x.Add(y))]).SelectMany(c => c.Encode()).ToArray());
}
