using System.Net;
using System.Text.Json.Nodes;
using Ballot.Core.Ballots;
using Ballot.Core.Staff;
using Ballot.Tests.Infrastructure;
using Dapper;

namespace Ballot.Tests.Ballots;

/// <summary>Thresholds at their exact boundaries, per-workplace counting, and the result once closed.</summary>
public sealed class CountingTests
{
    private ApiHost _api = null!;
    private BallotKit _kit = null!;

    [OneTimeSetUp]
    public async Task Start()
    {
        _api = await ApiHost.StartAsync();
        _kit = new BallotKit(_api);
        await _kit.ImportMembers(MemberCsv.Generate(10_000, schools: 4));
    }

    [OneTimeTearDown]
    public async Task Stop() => await _api.DisposeAsync();

    [TestCase("era-2025", 4999, 4999, 0, false, null, false, TestName = "ERA 2025: 49.99% turnout is not enough")]
    [TestCase("era-2025", 5000, 3000, 2000, true, null, true, TestName = "ERA 2025: 50% turnout is enough, with no 40% rule")]
    [TestCase("tua-2016", 5000, 3999, 1001, true, false, false, TestName = "TUA 2016: 39.99% Yes of those entitled is not enough in a public service")]
    [TestCase("tua-2016", 5000, 4000, 1000, true, true, true, TestName = "TUA 2016: 40% Yes of those entitled is enough")]
    [TestCase("tua-2016", 4999, 4999, 0, false, true, false, TestName = "TUA 2016: 49.99% turnout is not enough")]
    public async Task Thresholds_at_their_boundaries(string ruleSet, int voted, int yes, int no, bool turnoutMet, bool? supportMet, bool mandate)
    {
        // A real count over 10,000 electors: votes are written straight to the tables here (the vote path has its own tests).
        if (ruleSet == "tua-2016") _api.Clock.AdjustTime(new DateTimeOffset(2026, 1, 12, 9, 0, 0, TimeSpan.Zero));
        else _api.Clock.AdjustTime(new DateTimeOffset(2026, 9, 7, 9, 0, 0, TimeSpan.Zero));
        var id = await _kit.OpenIndustrialAction();
        await using (var conn = await _api.OpenAsync())
        await using (var tx = await _api.Db.BeginWriteAsync(conn))
        {
            var electors = (await conn.QueryAsync<string>("SELECT credential_hash FROM ballot_elector WHERE ballot_id = @id ORDER BY member_id LIMIT @voted",
                new { id, voted }, tx)).ToList();
            await conn.ExecuteAsync("UPDATE ballot_elector SET voted = 1 WHERE credential_hash = @h", electors.Select(h => new { h }), tx);
            // Strike and action short of a strike: Yes, No, spoiled (index 2).
            var papers = Enumerable.Range(0, voted).Select(i => TestPapers.Cheap([3, 3], i < yes ? [0, 0] : i < yes + no ? [1, 1] : [2, 2]))
                .Select(p => new { id, t = p.Tracker, s = p.Sealed });
            await conn.ExecuteAsync("INSERT INTO ballot_paper (ballot_id, tracker, constituency, sealed) VALUES (@id, @t, 'all', @s)", papers, tx);
            await tx.CommitAsync();
        }
        _api.Clock.Advance(TimeSpan.FromDays(15));
        Assert.That((await _kit.RunWorker()).Closed, Is.EqualTo(1));

        using var exec = await _api.ClientFor(Roles.Executive);
        var view = await (await (await exec.GetAsync($"/api/ballots/{id}/result")).AssertStatus(HttpStatusCode.OK)).ReadJson();
        var result = view["result"]!;
        Assert.That((string)result["ruleSet"]!, Is.EqualTo(ruleSet));
        var strike = result["constituencies"]![0]!["questions"]!.AsArray().Single(q => (string)q!["id"]! == "strike")!;
        Assert.That((long)strike["entitled"]!, Is.EqualTo(10_000));
        Assert.That((long)strike["votesCast"]!, Is.EqualTo(voted));
        Assert.That((long)strike["spoiled"]!, Is.EqualTo(voted - yes - no));
        Assert.That((decimal)strike["turnoutPercent"]!, Is.EqualTo(voted / 100m));
        Assert.That((bool?)strike["turnoutThresholdMet"], Is.EqualTo(turnoutMet));
        Assert.That((bool?)strike["publicServiceSupportMet"], Is.EqualTo(supportMet));
        Assert.That((bool?)strike["mandate"], Is.EqualTo(mandate));
        Assert.That((bool?)result["mandate"], Is.EqualTo(mandate));
        if (mandate)
        {
            var closed = DateOnly.FromDateTime(_kit.Now.AddDays(-1).UtcDateTime.Date);
            var months = ruleSet == "tua-2016" ? 6 : 12;
            Assert.That((string)result["mandateExpires"]!, Is.EqualTo(closed.AddMonths(months).AddDays(-1).ToString("yyyy-MM-dd")));
        }
        Assert.That(view["receipts"]!.AsArray(), Has.Count.EqualTo(voted));
    }

    [Test]
    public void The_rule_sets_compare_whole_numbers_at_the_boundary()
    {
        var tua = new RuleSet { Code = "tua-2016", TurnoutPercent = 50, PublicServiceYesPercent = 40 };
        var era = new RuleSet { Code = "era-2025", TurnoutPercent = 50, PublicServiceYesPercent = null };
        Assert.Multiple(() =>
        {
            Assert.That(tua.TurnoutMet(10_000, 4_999), Is.False);
            Assert.That(tua.TurnoutMet(10_000, 5_000), Is.True);
            Assert.That(tua.TurnoutMet(3, 2), Is.True);
            Assert.That(tua.TurnoutMet(3, 1), Is.False);
            Assert.That(tua.PublicServiceSupportMet(true, 10_000, 3_999), Is.False);
            Assert.That(tua.PublicServiceSupportMet(true, 10_000, 4_000), Is.True);
            Assert.That(tua.PublicServiceSupportMet(false, 10_000, 1), Is.Null, "not an important public service");
            Assert.That(era.PublicServiceSupportMet(true, 10_000, 1), Is.Null, "repealed");
            Assert.That(era.TurnoutMet(10_000, 4_999), Is.False);
            Assert.That(era.TurnoutMet(10_000, 5_000), Is.True);
        });
    }
}

public sealed class ResultTests() : BallotApiTests(12, 3)
{
    // 12 members over 3 schools: School 1 = M1, M4, M7, M10; School 2 = M2, M5, M8, M11; School 0 = M3, M6, M9, M12.
    [Test]
    public async Task Per_workplace_counting_reports_each_workplace_with_its_own_thresholds()
    {
        var id = await Kit.OpenIndustrialAction(counting: "per-workplace", ips: false);
        var yes = """{"strike":"Yes","action-short-of-strike":"Yes"}""";
        var no = """{"strike":"No","action-short-of-strike":"Yes"}""";
        // School 1: 3 of 4 vote, 2 Yes to strike; School 2: 1 of 4 votes; School 0: 2 of 4, 1 Yes 1 No.
        var receipts = new List<string>
        {
            await Kit.VoteOk(id, "M000001", yes), await Kit.VoteOk(id, "M000004", yes), await Kit.VoteOk(id, "M000007", no),
            await Kit.VoteOk(id, "M000002", yes),
            await Kit.VoteOk(id, "M000003", yes), await Kit.VoteOk(id, "M000006", no),
        };
        using var exec = await Api.ClientFor(Roles.Executive);
        await (await exec.PostAsync($"/api/ballots/{id}/close", null)).AssertProblem(HttpStatusCode.Conflict);   // industrial action: not early
        Api.Clock.Advance(TimeSpan.FromDays(14));
        await Kit.RunWorker();

        var view = await (await (await exec.GetAsync($"/api/ballots/{id}/result")).AssertStatus(HttpStatusCode.OK)).ReadJson();
        var byName = view["result"]!["constituencies"]!.AsArray().ToDictionary(c => (string)c!["name"]!, c => c!);
        Assert.That(byName.Keys, Is.EquivalentTo(new[] { "School 0 (Employer 0)", "School 1 (Employer 1)", "School 2 (Employer 2)" }));
        JsonNode Strike(string school) => byName[school]["questions"]!.AsArray().Single(q => (string)q!["id"]! == "strike")!;
        JsonNode Option(JsonNode q, string o) => q["options"]!.AsArray().Single(x => (string)x!["option"]! == o)!;
        var s1 = Strike("School 1 (Employer 1)");
        Assert.That(((long)s1["entitled"]!, (long)s1["votesCast"]!, (long)Option(s1, "Yes")["votes"]!, (long)Option(s1, "No")["votes"]!), Is.EqualTo((4L, 3L, 2L, 1L)));
        Assert.That(((bool)s1["turnoutThresholdMet"]!, (bool)s1["majorityYes"]!, (bool)s1["mandate"]!), Is.EqualTo((true, true, true)));
        Assert.That(s1["publicServiceSupportMet"], Is.Null);
        var s2 = Strike("School 2 (Employer 2)");
        Assert.That(((long)s2["votesCast"]!, (decimal)s2["turnoutPercent"]!, (bool)s2["turnoutThresholdMet"]!, (bool)s2["mandate"]!), Is.EqualTo((1L, 25m, false, false)));
        var s0 = Strike("School 0 (Employer 0)");
        Assert.That(((bool)s0["turnoutThresholdMet"]!, (bool)s0["majorityYes"]!, (bool)s0["mandate"]!), Is.EqualTo((true, false, false)), "a tie is not a majority");

        var listed = view["receipts"]!.AsArray().Select(r => (string)r!).ToList();
        Assert.That(listed, Is.EquivalentTo(receipts));
        Assert.That(listed, Is.Ordered.Using((IComparer<string>)StringComparer.Ordinal));
    }

    [Test]
    public async Task After_close_staff_see_the_result_and_after_certification_everyone_does()
    {
        var id = await Kit.OpenConsultative();
        var receipt = await Kit.VoteOk(id, "M000001", """{"boycott":"Yes","timing":"Autumn term"}""");
        await Kit.VoteOk(id, "M000002", """{"boycott":"No","timing":"Not at all"}""");
        await Kit.VoteOk(id, "M000003", """{"boycott":"Yes"}""");
        using var exec = await Api.ClientFor(Roles.Executive);
        using var scrut = await Api.ClientFor(Roles.Scrutineer);
        await (await scrut.PostAsync($"/api/ballots/{id}/certify", null)).AssertProblem(HttpStatusCode.Conflict);   // still open
        await (await exec.PostAsync($"/api/ballots/{id}/close", null)).AssertStatus(HttpStatusCode.OK);           // consultative: may close early
        var waiting = await (await scrut.GetAsync($"/api/ballots/{id}/result")).AssertProblem(HttpStatusCode.Conflict);
        Assert.That((string)waiting["detail"]!, Does.Contain("waits for the trustees"), "closed, not counted until the trustees decrypt");
        await (await scrut.PostAsync($"/api/ballots/{id}/certify", null)).AssertProblem(HttpStatusCode.Conflict);
        await Kit.Count(id);

        await (await Api.Client.GetAsync($"/api/ballots/{id}/result")).AssertProblem(HttpStatusCode.Forbidden);
        var staff = await (await (await scrut.GetAsync($"/api/ballots/{id}/result")).AssertStatus(HttpStatusCode.OK)).ReadJson();
        Assert.That((bool)staff["certified"]!, Is.False);
        var boycott = staff["result"]!["constituencies"]![0]!["questions"]![0]!;
        Assert.That(boycott["options"]!.AsArray().Select(o => ((string)o!["option"]!, (long)o["votes"]!)), Is.EqualTo(new[] { ("Yes", 2L), ("No", 1L) }));
        var timing = staff["result"]!["constituencies"]![0]!["questions"]![1]!;
        Assert.That((long)timing["spoiled"]!, Is.EqualTo(1), "the unanswered question is a spoiled answer");
        Assert.That(boycott["mandate"], Is.Null, "no thresholds for a consultative ballot");

        using var org = await Api.ClientFor(Roles.Organiser);
        await (await exec.PostAsync($"/api/ballots/{id}/certify", null)).AssertProblem(HttpStatusCode.Forbidden);
        var certified = await (await (await scrut.PostAsync($"/api/ballots/{id}/certify", null)).AssertStatus(HttpStatusCode.OK)).ReadJson();
        Assert.That((bool)certified["certified"]!, Is.True);
        var pub = await (await (await Api.Client.GetAsync($"/api/ballots/{id}/result")).AssertStatus(HttpStatusCode.OK)).ReadJson();
        Assert.That(pub["receipts"]!.AsArray().Select(r => (string)r!), Does.Contain(receipt));
        var check = await (await Api.Client.GetAsync($"/api/ballots/{id}/receipts/{receipt}")).ReadJson();
        Assert.That(((bool)check["recorded"]!, (bool)check["counted"]!), Is.EqualTo((true, true)));
        var missing = await (await Api.Client.GetAsync($"/api/ballots/{id}/receipts/0000000000000000")).ReadJson();
        Assert.That((bool)missing["counted"]!, Is.False);

        // The result notice goes to every elector.
        await using var conn = await Api.OpenAsync();
        var notice = await conn.QuerySingleAsync<(long Id, string Body)>(
            "SELECT id, body_markdown FROM mailing WHERE source = 'ballot' AND source_id = @id AND purpose = 'result-notice'", new { id });
        Assert.That(notice.Body, Does.Contain("Votes cast: 3").And.Contain("Entitled to vote: 12"));
        Assert.That(await conn.ExecuteScalarAsync<long>("SELECT COUNT(*) FROM mailing_recipient WHERE mailing_id = @Id", new { notice.Id }), Is.EqualTo(12));
        Assert.That(await conn.ExecuteScalarAsync<string>("SELECT status FROM ballot WHERE id = @id", new { id }), Is.EqualTo("certified"));
    }

    [Test]
    public async Task The_employers_notice_gives_the_s231A_figures_once_certified()
    {
        var id = await Kit.OpenIndustrialAction();
        for (var i = 1; i <= 7; i++) await Kit.VoteOk(id, $"M{i:D6}", i <= 5 ? """{"strike":"Yes","action-short-of-strike":"Yes"}""" : """{"strike":"No","action-short-of-strike":"Yes"}""");
        using var exec = await Api.ClientFor(Roles.Executive);
        using var scrut = await Api.ClientFor(Roles.Scrutineer);
        Api.Clock.Advance(TimeSpan.FromDays(14));
        await Kit.RunWorker();
        await (await exec.GetAsync($"/api/ballots/{id}/employer-notice")).AssertProblem(HttpStatusCode.Conflict);
        await (await scrut.PostAsync($"/api/ballots/{id}/certify", null)).AssertStatus(HttpStatusCode.OK);
        var notice = await (await exec.GetAsync($"/api/ballots/{id}/employer-notice")).AssertStatus(HttpStatusCode.OK);
        var text = await notice.Content.ReadAsStringAsync();
        Assert.That(text, Does.Contain("s.231A").And.Contain("Entitled to vote: 12").And.Contain("Votes cast: 7").And.Contain("- Yes: 5")
            .And.Contain("- No: 2").And.Contain("Spoiled or blank: 0").And.Contain("At least 50% of those entitled voted: yes"));
        Assert.That(text, Does.Not.Contain("40%"), "the 40% line is repealed under the 2025 rules");
        Assert.That(text, Does.Not.Contain("{% raw %}"));
    }
}
