using System.Net;
using System.Text.Json.Nodes;
using Ballot.Core.Sealing;
using Ballot.Core.Staff;
using Ballot.Tests.Infrastructure;
using Dapper;

namespace Ballot.Tests.Ballots;

/// <summary>
/// Issue 17: a sealed ballot counted by its trustees. A 2-of-3 ceremony, votes sealed on arrival, sums at close, partial
/// decryptions posted over HTTP and checked, the result from any two, and the public board. One host for the fixture.
/// </summary>
public sealed class SealedCountTests
{
    private ApiHost _api = null!;
    private BallotKit _kit = null!;
    private HttpClient _scrutineer = null!;

    [OneTimeSetUp]
    public async Task Start()
    {
        _api = await ApiHost.StartAsync();
        _kit = new BallotKit(_api);
        await _kit.ImportMembers(MemberCsv.Generate(12, schools: 3));
        _scrutineer = await _api.ClientFor(Roles.Scrutineer);
    }

    [OneTimeTearDown]
    public async Task Stop()
    {
        _scrutineer.Dispose();
        await _api.DisposeAsync();
    }

    private const string YesAutumn = """{"boycott":"Yes","timing":"Autumn term"}""";
    private const string NoNotAtAll = """{"boycott":"No","timing":"Not at all"}""";

    /// <summary>A consultative ballot counted per workplace, four votes cast (three Yes, one No, one timing left blank), closed.</summary>
    private async Task<(long Id, List<string> Trackers)> ClosedBallot()
    {
        var id = await _kit.OpenConsultative(counting: "per-workplace");
        var trackers = new List<string>
        {
            await _kit.VoteOk(id, "M000001", YesAutumn), await _kit.VoteOk(id, "M000004", YesAutumn),
            await _kit.VoteOk(id, "M000002", """{"boycott":"Yes"}"""), await _kit.VoteOk(id, "M000003", NoNotAtAll),
        };
        using var exec = await _api.ClientFor(Roles.Executive);
        await (await exec.PostAsync($"/api/ballots/{id}/close", null)).AssertStatus(HttpStatusCode.OK);
        return (id, trackers);
    }

    /// <summary>Trustee <paramref name="trustee"/>'s decryptions, sent with the staff token named for that trustee (or <paramref name="as"/>'s).</summary>
    private async Task<HttpResponseMessage> Post(long id, BoardDecryption decryption, int? @as = null)
    {
        var seats = await TestTrustees.For(_api).TrusteeSeatsAsync(3);
        return await seats[(@as ?? decryption.Trustee) - 1].Client.PostAsync($"/api/ballots/{id}/decryptions", Http.JsonBody(SealingJson.Serialize(decryption)));
    }

    private BoardDecryption Decryption(long id, int trustee, Board board) =>
        TestTrustees.For(_api).Of(id)[trustee - 1].Decrypt(SealingContext.ForBallot(id), TestTrustees.RecomputedSums(board));

    [Test]
    public async Task Two_of_three_trustees_count_the_votes_cast_the_third_is_recorded_absent_and_the_board_holds_every_tracker()
    {
        var (id, trackers) = await ClosedBallot();
        // Closed, not counted: no result, no total, anywhere.
        var waiting = await (await _scrutineer.GetAsync($"/api/ballots/{id}/result")).AssertProblem(HttpStatusCode.Conflict);
        Assert.That((string)waiting["detail"]!, Does.Contain("waits for the trustees"));
        var before = await TestTrustees.BoardAsync(_api, id);
        Assert.That((before.Totals.Count, before.Decryptions.Count, before.ResultHash), Is.EqualTo((0, 0, (string?)null)));
        Assert.That(before.Papers, Has.Count.EqualTo(4));

        await TestTrustees.For(_api).DecryptAsync(id, 1, 2);

        var view = await (await (await _scrutineer.GetAsync($"/api/ballots/{id}/result")).AssertStatus(HttpStatusCode.OK)).ReadJson();
        var result = view["result"]!;
        Assert.That((long)result["votesCast"]!, Is.EqualTo(4));
        var byName = result["constituencies"]!.AsArray().ToDictionary(c => (string)c!["name"]!, c => c!);
        // 12 members over 3 schools: School 1 = M1, M4; School 2 = M2; School 0 = M3 among the voters.
        Assert.That(Options(byName["School 1 (Employer 1)"], "boycott"), Is.EqualTo(new[] { ("Yes", 2L), ("No", 0L) }));
        Assert.That(Options(byName["School 1 (Employer 1)"], "timing"), Is.EqualTo(new[] { ("Autumn term", 2L), ("Spring term", 0L), ("Not at all", 0L) }));
        Assert.That(Options(byName["School 2 (Employer 2)"], "boycott"), Is.EqualTo(new[] { ("Yes", 1L), ("No", 0L) }));
        Assert.That((long)Question(byName["School 2 (Employer 2)"], "timing")["spoiled"]!, Is.EqualTo(1), "a blank answer is sealed as spoiled");
        Assert.That(Options(byName["School 0 (Employer 0)"], "boycott"), Is.EqualTo(new[] { ("Yes", 0L), ("No", 1L) }));
        Assert.That(view["receipts"]!.AsArray().Select(r => (string)r!), Is.EquivalentTo(trackers));

        // The audit chain: which trustees took part, and that trustee 3 did not.
        var counted = JsonNode.Parse(await _kit.Scalar<string>("SELECT data FROM ballot_audit WHERE ballot_id = @id AND event = 'counted'", new { id }))!;
        Assert.That(counted["trustees"]!.AsArray().Select(t => (int)t!), Is.EqualTo(new[] { 1, 2 }));
        Assert.That(counted["absence"]!.AsArray().Select(t => (string)t!), Is.EqualTo(new[] { "trustee 3 did not take part" }));
        Assert.That(await _kit.Scalar<long>("SELECT COUNT(*) FROM ballot_audit WHERE ballot_id = @id AND event = 'decryption-received'", new { id }), Is.EqualTo(2));

        // Trustee 3 answering late changes nothing.
        var late = await (await Post(id, Decryption(id, 3, before))).AssertProblem(HttpStatusCode.Conflict);
        Assert.That((string)late["detail"]!, Does.Contain("already counted"));

        // The board, for anyone: every tracker with its sealed paper, the sums, both trustees' decryptions, the totals, the result hash.
        var board = await TestTrustees.BoardAsync(_api, id);
        Assert.That(board.Papers.Select(p => Receipts(p.Tracker)), Is.EquivalentTo(trackers));
        Assert.That(board.Papers.All(p => SealedPaper.Tracker(p.Answers) == p.Tracker), Is.True, "each tracker is the hash of its paper's ciphertexts");
        Assert.That(board.Papers.SelectMany(p => p.Answers.Select((a, q) => a.Verify(new BallotKey(board.Key!.PublicKey), SealingContext.ForQuestion(id, q)))), Is.All.True);
        Assert.That(board.Sums, Has.Count.EqualTo(3 * 2), "every constituency, every question");
        Assert.That(board.Decryptions.Select(d => d.Trustee), Is.EqualTo(new[] { 1, 2 }));
        Assert.That(board.Totals.Single(t => t.Question == 0 && t.Constituency == (string)byName["School 1 (Employer 1)"]["id"]!).Options, Is.EqualTo(new long[] { 2, 0, 0 }));
        Assert.That(board.ResultHash, Is.EqualTo((string)view["resultHash"]!));
        Assert.That(board.Questions[0].Options, Is.EqualTo(new[] { "Yes", "No", "spoiled" }));

        // A member looks up their tracker on the board, by its start as they typed it.
        var mine = await (await (await _api.Client.GetAsync($"/api/ballots/{id}/board/papers/{trackers[0][..17].ToUpperInvariant()}")).AssertStatus(HttpStatusCode.OK)).ReadJson();
        Assert.That(Receipts((string)mine["tracker"]!), Is.EqualTo(trackers[0]));
        await (await _api.Client.GetAsync($"/api/ballots/{id}/board/papers/0000000000000000")).AssertProblem(HttpStatusCode.NotFound);
        await (await _api.Client.GetAsync($"/api/ballots/{id}/board/papers/xyz")).AssertProblem(HttpStatusCode.BadRequest);

        // Certification recounts from the sealed papers and the stored decryptions.
        await (await _scrutineer.PostAsync($"/api/ballots/{id}/certify", null)).AssertStatus(HttpStatusCode.OK);
    }

    [Test]
    public async Task One_trustee_alone_decrypts_nothing_and_a_tampered_partial_decryption_is_refused_naming_its_trustee()
    {
        var (id, _) = await ClosedBallot();
        var board = await TestTrustees.BoardAsync(_api, id);

        var first = await (await (await Post(id, Decryption(id, 1, board))).AssertStatus(HttpStatusCode.OK)).ReadJson();
        Assert.That((bool)first["counted"]!, Is.False);
        Assert.That(first["resultHash"], Is.Null);
        // Nothing decrypted: no result, no total, not on the board, not in the database.
        await (await _scrutineer.GetAsync($"/api/ballots/{id}/result")).AssertProblem(HttpStatusCode.Conflict);
        var still = await TestTrustees.BoardAsync(_api, id);
        Assert.That((still.Totals.Count, still.Decryptions.Count, still.ResultHash), Is.EqualTo((0, 0, (string?)null)));
        Assert.That(await _kit.Scalar<long>("SELECT COUNT(*) FROM ballot_count WHERE ballot_id = @id", new { id }), Is.Zero);
        Assert.That(await _kit.Scalar<long>("SELECT COUNT(*) FROM ballot_sum WHERE ballot_id = @id AND totals IS NOT NULL", new { id }), Is.Zero);
        await (await Post(id, Decryption(id, 1, board))).AssertProblem(HttpStatusCode.Conflict);   // once per trustee

        // Trustee 3's share of sum 4 nudged: refused, naming trustee 3; nothing of it kept.
        var honest = Decryption(id, 3, board);
        var shares = honest.Shares.ToArray();
        shares[4] = shares[4].Add(Group.Generator.Value);
        var refused = await (await Post(id, honest with { Shares = shares })).AssertProblem(HttpStatusCode.BadRequest);
        Assert.That((string)refused["errors"]!["shares"]![0]!, Does.Contain("Trustee 3's decryption shares do not verify"));
        Assert.That(await _kit.Scalar<long>("SELECT COUNT(*) FROM ballot_decryption WHERE ballot_id = @id", new { id }), Is.EqualTo(1));
        // Trustee 2's shares and proof sent as trustee 3: refused too (its proof is against trustee 2's key).
        await (await Post(id, Decryption(id, 2, board) with { Trustee = 3 })).AssertProblem(HttpStatusCode.BadRequest);
        // Trustee 3's own valid decryption, sent with trustee 1's token: only the token named for trustee 3 may send it.
        var impostor = await (await Post(id, honest, @as: 1)).AssertProblem(HttpStatusCode.Forbidden);
        Assert.That((string)impostor["detail"]!, Does.Contain("Only trustee 3"));
        // Not a decryption at all, or a share that is not a point on the curve: 400, not 500.
        var seat3 = (await TestTrustees.For(_api).TrusteeSeatsAsync(3))[2].Client;
        await (await seat3.PostAsync($"/api/ballots/{id}/decryptions", Http.JsonBody("""{"trustee":3,"shares":"AAAA"}"""))).AssertProblem(HttpStatusCode.BadRequest);
        var offCurve = Element.EncodeAffineAll(honest.Shares);
        offCurve[64 * 2 + 63] ^= 1;
        var json = System.Text.Json.Nodes.JsonNode.Parse(SealingJson.Serialize(honest))!;
        json["shares"] = Convert.ToBase64String(offCurve);
        var notPoint = await (await seat3.PostAsync($"/api/ballots/{id}/decryptions", Http.JsonBody(json.ToJsonString()))).AssertProblem(HttpStatusCode.BadRequest);
        Assert.That(notPoint.ToJsonString(), Does.Contain("Not a point on the curve"));
        json.AsObject().Remove("proof");
        json["shares"] = Convert.ToBase64String(Element.EncodeAffineAll(honest.Shares));
        await (await seat3.PostAsync($"/api/ballots/{id}/decryptions", Http.JsonBody(json.ToJsonString()))).AssertProblem(HttpStatusCode.BadRequest);
        await (await _api.Client.PostAsync($"/api/ballots/{id}/decryptions", Http.JsonBody(SealingJson.Serialize(honest))))
            .AssertStatus(HttpStatusCode.Unauthorized);

        // Recovery drill: trustee 2's share is lost; trustees 1 and 3 count the ballot, and the chain records 2's absence.
        var done = await (await (await Post(id, honest)).AssertStatus(HttpStatusCode.OK)).ReadJson();
        Assert.That((bool)done["counted"]!, Is.True);
        var result = (await (await (await _scrutineer.GetAsync($"/api/ballots/{id}/result")).AssertStatus(HttpStatusCode.OK)).ReadJson())["result"]!;
        Assert.That((long)result["votesCast"]!, Is.EqualTo(4));
        var yes = result["constituencies"]!.AsArray().Sum(c => Options(c!, "boycott").Single(o => o.Item1 == "Yes").Item2);
        Assert.That(yes, Is.EqualTo(3));
        var counted = JsonNode.Parse(await _kit.Scalar<string>("SELECT data FROM ballot_audit WHERE ballot_id = @id AND event = 'counted'", new { id }))!;
        Assert.That(counted["absence"]!.AsArray().Select(t => (string)t!), Is.EqualTo(new[] { "trustee 2 did not take part" }));
        using var exec = await _api.ClientFor(Roles.Executive);
        Assert.That((bool)(await (await exec.GetAsync($"/api/ballots/{id}/audit/verify")).ReadJson())["intact"]!, Is.True);
    }

    [Test]
    public async Task The_board_is_not_published_while_the_ballot_is_open()
    {
        var id = await _kit.OpenConsultative();
        await (await _api.Client.GetAsync($"/api/ballots/{id}/board")).AssertProblem(HttpStatusCode.Conflict);
        await (await _scrutineer.PostAsync($"/api/ballots/{id}/decryptions", Http.JsonBody("""{"trustee":1,"shares":""}"""))).AssertProblem(HttpStatusCode.Conflict);
        await (await _api.Client.GetAsync("/api/ballots/999999/board")).AssertProblem(HttpStatusCode.NotFound);
    }

    private static string Receipts(string tracker) => Ballot.Core.Ballots.Receipts.Display(tracker);

    private static JsonNode Question(JsonNode constituency, string id) => constituency["questions"]!.AsArray().Single(q => (string)q!["id"]! == id)!;

    private static IEnumerable<(string, long)> Options(JsonNode constituency, string question) =>
        Question(constituency, question)["options"]!.AsArray().Select(o => ((string)o!["option"]!, (long)o["votes"]!)).ToList();
}
