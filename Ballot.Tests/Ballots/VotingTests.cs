using System.Net;
using System.Text.Json.Nodes;
using Ballot.Core.Ballots;
using Ballot.Core.Staff;
using Microsoft.Extensions.DependencyInjection;
using Ballot.Tests.Infrastructure;
using Dapper;
using Ballot.Core.Ballots.Voting;

namespace Ballot.Tests.Ballots;

public sealed class VotingTests() : BallotApiTests(12, 3, s => s["Ballots:FailedLookupsPerMinute"] = "5")
{
    [Test]
    public async Task A_vote_is_recorded_once_with_a_receipt_and_a_used_or_unknown_credential_is_refused()
    {
        var id = await Kit.OpenConsultative();
        var credential = await Kit.Credential(id, "M000001");
        var first = await (await Kit.Vote(credential, """{"boycott":"Yes","timing":"Autumn term"}""")).AssertStatus(HttpStatusCode.Created);
        var receipt = (string)(await first.ReadJson())["receipt"]!;
        Assert.That(receipt, Does.Match("^[0-9a-f]{8}(-[0-9a-f]{8}){7}$"));

        var again = await (await Kit.Vote(credential, """{"boycott":"No","timing":"Not at all"}""")).AssertProblem(HttpStatusCode.Conflict);
        Assert.That((string)again["detail"]!, Does.Contain("already voted").And.Not.Contain("Yes"));
        await (await Kit.Vote("AAAAAAAAAAAAAAAAAAAAAA", """{"boycott":"Yes"}""")).AssertProblem(HttpStatusCode.NotFound);
        await (await Kit.Vote(await Kit.Credential(id, "M000002"), """{"nonsense":"Yes"}""")).AssertProblem(HttpStatusCode.BadRequest);

        await using var conn = await Api.OpenAsync();
        Assert.That(await conn.ExecuteScalarAsync<long>("SELECT COUNT(*) FROM ballot_paper WHERE ballot_id = @id", new { id }), Is.EqualTo(1));
        Assert.That((await TestPapers.OpenAsync(Api, id)).Single(),
            Is.EqualTo("""{"boycott":"Yes","timing":"Autumn term"}"""));
        Assert.That(await conn.ExecuteScalarAsync<long>("SELECT SUM(voted) FROM ballot_elector WHERE ballot_id = @id", new { id }), Is.EqualTo(1));

        var check = await (await Api.Client.GetAsync($"/api/ballots/{id}/receipts/{receipt.ToLowerInvariant()}")).ReadJson();
        Assert.That((bool)check["recorded"]!, Is.True);
        Assert.That(check["counted"], Is.Null, "not counted before close");
    }

    [Test]
    public async Task A_blank_or_unknown_answer_is_counted_as_spoiled_not_dropped()
    {
        var id = await Kit.OpenConsultative();
        await Kit.VoteOk(id, "M000001", """{"boycott":"maybe"}""");
        await Kit.VoteOk(id, "M000002", """{"boycott":"","timing":null}""");
        await Kit.VoteOk(id, "M000003", """{"boycott":"yes","timing":"spring term"}""");
        var answers = (await TestPapers.OpenAsync(Api, id)).Order(StringComparer.Ordinal).ToList();
        Assert.That(answers, Is.EqualTo(new[]
        {
            """{"boycott":"Yes","timing":"Spring term"}""",
            """{"boycott":"spoiled","timing":"spoiled"}""",
            """{"boycott":"spoiled","timing":"spoiled"}""",
        }));
    }

    [Test]
    public async Task Votes_are_refused_before_opening_and_after_closing()
    {
        using var exec = await Api.ClientFor(Roles.Executive);
        var id = await Kit.Create(BallotKit.Consultative(Kit.Now.AddDays(2), Kit.Now.AddDays(5)));
        await Kit.Open(id);   // letters go out early; voting starts at opensAt
        var credential = await Kit.Credential(id, "M000004");
        var early = await (await Kit.Vote(credential, """{"boycott":"Yes"}""")).AssertProblem(HttpStatusCode.Forbidden);
        Assert.That((string)early["detail"]!, Does.Contain("opens on"));

        Api.Clock.Advance(TimeSpan.FromDays(2));
        await Kit.VoteOk(id, "M000005", """{"boycott":"No"}""");
        Api.Clock.Advance(TimeSpan.FromDays(3));
        var late = await (await Kit.Vote(credential, """{"boycott":"Yes"}""")).AssertProblem(HttpStatusCode.Forbidden);
        Assert.That((string)late["detail"]!, Does.Contain("closed"));
        Assert.That(await Kit.Scalar<long>("SELECT COUNT(*) FROM ballot_paper WHERE ballot_id = @id", new { id }), Is.EqualTo(1));
    }

    [Test]
    public async Task A_ballot_open_for_hours_on_one_day_takes_votes_until_its_closing_minute()
    {
        // Times on the same day compare correctly (opening, closing and the clock all stored and compared alike).
        var id = await Kit.Create(BallotKit.Consultative(Kit.Now.AddMinutes(30), Kit.Now.AddHours(3)));
        await Kit.Open(id);
        await (await Kit.Vote(await Kit.Credential(id, "M000001"), """{"boycott":"Yes"}""")).AssertProblem(HttpStatusCode.Forbidden);
        Api.Clock.Advance(TimeSpan.FromMinutes(31));
        await Kit.VoteOk(id, "M000001", """{"boycott":"Yes"}""");
        Api.Clock.Advance(TimeSpan.FromHours(2).Add(TimeSpan.FromMinutes(28)));
        await Kit.VoteOk(id, "M000002", """{"boycott":"No"}""");
        Api.Clock.Advance(TimeSpan.FromMinutes(2));
        await (await Kit.Vote(await Kit.Credential(id, "M000003"), """{"boycott":"Yes"}""")).AssertProblem(HttpStatusCode.Forbidden);
        Assert.That((await Kit.RunWorker()).Closed, Is.EqualTo(1));
    }

    [Test]
    public async Task Votes_looked_up_in_memory_are_refused_and_recorded_exactly_as_through_the_database()
    {
        var id = await Kit.OpenConsultative();
        var index = Api.App.Services.GetRequiredService<ElectorIndex>();
        await index.WhenLoaded(id);   // opening through the API started loading it
        await Kit.VoteOk(id, "M000001", """{"boycott":"Yes"}""");
        Assert.That(index.TryFind(Credentials.Hash(await Kit.Credential(id, "M000002")), out var ballotId, out _, out var constituency), Is.True);
        Assert.That((ballotId, constituency), Is.EqualTo((id, "all")));

        var m2 = await Kit.Credential(id, "M000002");
        await (await Kit.Vote(m2, """{"boycott":"No","timing":"Spring term"}""")).AssertStatus(HttpStatusCode.Created);
        var again = await (await Kit.Vote(m2, """{"boycott":"Yes"}""")).AssertProblem(HttpStatusCode.Conflict);
        Assert.That((string)again["detail"]!, Does.Contain("already voted"));
        var m1again = await (await Kit.Vote(await Kit.Credential(id, "M000001"), """{"boycott":"No"}""")).AssertProblem(HttpStatusCode.Conflict);
        Assert.That((string)m1again["detail"]!, Does.Contain("already voted"));
        await (await Kit.Vote(await Kit.Credential(id, "M000003"), """{"nonsense":"Yes"}""")).AssertProblem(HttpStatusCode.BadRequest);

        // The executive closes the consultative ballot early: memory does not know, the writer's transaction does.
        using var exec = await Api.ClientFor(Roles.Executive);
        await (await exec.PostAsync($"/api/ballots/{id}/close", null)).AssertStatus(HttpStatusCode.OK);
        var late = await (await Kit.Vote(await Kit.Credential(id, "M000003"), """{"boycott":"Yes"}""")).AssertProblem(HttpStatusCode.Forbidden);
        Assert.That((string)late["detail"]!, Does.Contain("closed"));
        Assert.That(index.TryFind(Credentials.Hash(await Kit.Credential(id, "M000004")), out _, out _, out _), Is.False, "a closed ballot leaves memory");

        Assert.That(await Kit.Scalar<long>("SELECT COUNT(*) FROM ballot_paper WHERE ballot_id = @id", new { id }), Is.EqualTo(2));
        Assert.That(await Kit.Scalar<long>("SELECT SUM(voted) FROM ballot_elector WHERE ballot_id = @id", new { id }), Is.EqualTo(2));
        var answers = (await TestPapers.OpenAsync(Api, id))
            .Order(StringComparer.Ordinal).ToList();
        Assert.That(answers, Is.EqualTo(new[] { """{"boycott":"No","timing":"Spring term"}""", """{"boycott":"Yes","timing":"spoiled"}""" }));
    }

    [Test]
    public async Task An_api_starting_with_a_ballot_open_loads_its_electorate_and_a_vote_loads_one_it_missed()
    {
        var id = await Kit.OpenConsultative();
        var hash = Credentials.Hash(await Kit.Credential(id, "M000003"));
        var db = Api.App.Services.GetRequiredService<Ballot.Core.Data.Db>();
        var logs = Microsoft.Extensions.Logging.Abstractions.NullLogger<ElectorIndex>.Instance;

        var restarted = new ElectorIndex(db, logs);     // as a fresh API process finds the database
        Assert.That(restarted.TryFind(hash, out _, out _, out _), Is.False);
        await restarted.LoadOpenBallotsAsync(CancellationToken.None);
        await restarted.WhenLoaded(id);
        Assert.That(restarted.TryFind(hash, out var ballotId, out var memberId, out _), Is.True);
        Assert.That((ballotId, memberId), Is.EqualTo((id, await Kit.MemberId("M000003"))));

        // Not loaded at all (say the load failed): a vote found in the database loads it.
        var index = Api.App.Services.GetRequiredService<ElectorIndex>();
        await index.WhenLoaded(id);   // the load the opening started, finished before it is forgotten
        index.Forget(id);
        Assert.That(index.TryFind(hash, out _, out _, out _), Is.False);
        await Kit.VoteOk(id, "M000001", """{"boycott":"Yes"}""");
        await index.WhenLoaded(id);
        Assert.That(index.TryFind(hash, out _, out _, out _), Is.True);
    }

    [Test]
    public async Task A_thousand_concurrent_submissions_of_one_credential_record_one_vote()
    {
        var id = await Kit.OpenConsultative();
        var credential = await Kit.Credential(id, "M000007");
        using var client = new HttpClient(new SocketsHttpHandler { MaxConnectionsPerServer = 64 }) { BaseAddress = Api.BaseAddress };
        var body = $$"""{"credential":"{{credential}}","answers":{"boycott":"Yes","timing":"Autumn term"} }""";
        var responses = await Task.WhenAll(Enumerable.Range(0, 1000).Select(async _ =>
        {
            using var r = await client.PostAsync("/api/votes", Http.JsonBody(body));
            return r.StatusCode;
        }));
        var breakdown = string.Join(", ", responses.GroupBy(s => (int)s).Select(g => $"{g.Key}: {g.Count()}"));
        Assert.That(responses.Count(s => s == HttpStatusCode.Created), Is.EqualTo(1), breakdown);
        Assert.That(responses.Count(s => s == HttpStatusCode.Conflict), Is.EqualTo(999), breakdown);
        Assert.That(await Kit.Scalar<long>("SELECT COUNT(*) FROM ballot_paper WHERE ballot_id = @id", new { id }), Is.EqualTo(1));
        Assert.That(await Kit.Scalar<long>("SELECT SUM(voted) FROM ballot_elector WHERE ballot_id = @id", new { id }), Is.EqualTo(1));
    }

    [Test]
    public async Task Concurrent_votes_with_different_credentials_each_get_their_own_answer()
    {
        var id = await Kit.OpenConsultative();
        var used = await Kit.Credential(id, "M000001");
        await Kit.VoteOk(id, "M000001", """{"boycott":"Yes"}""");
        var credentials = new List<string>();
        for (var i = 2; i <= 12; i++) credentials.Add(await Kit.Credential(id, $"M{i:D6}"));
        // Fresh credentials and a used one arrive together: the used one is refused alone, the others commit.
        var tasks = credentials.Select(c => Kit.Vote(c, """{"boycott":"No"}""")).Append(Kit.Vote(used, """{"boycott":"No"}""")).ToList();
        var results = await Task.WhenAll(tasks);
        Assert.That(results.Take(11).Select(r => r.StatusCode), Is.All.EqualTo(HttpStatusCode.Created));
        Assert.That(results[^1].StatusCode, Is.EqualTo(HttpStatusCode.Conflict));
        Assert.That(await Kit.Scalar<long>("SELECT COUNT(*) FROM ballot_paper WHERE ballot_id = @id", new { id }), Is.EqualTo(12));
    }

    [Test]
    public async Task Guessing_credentials_is_rate_limited_per_client_but_a_valid_credential_still_votes()
    {
        var id = await Kit.OpenConsultative();
        for (var i = 0; i < 5; i++)
            await (await Kit.Vote($"guess{i:D17}", """{"boycott":"Yes"}""")).AssertProblem(HttpStatusCode.NotFound);
        var limited = await Kit.Vote("guess00000000000000099", """{"boycott":"Yes"}""");
        await limited.AssertProblem(HttpStatusCode.TooManyRequests);
        Assert.That(limited.Headers.RetryAfter, Is.Not.Null);
        var page = await Api.Client.GetAsync("/vote/guess00000000000000098");
        Assert.That(page.StatusCode, Is.EqualTo(HttpStatusCode.TooManyRequests));
        Assert.That(await page.Content.ReadAsStringAsync(), Does.Contain("Too many attempts"));

        await (await Kit.Vote(await Kit.Credential(id, "M000001"), """{"boycott":"Yes"}""")).AssertStatus(HttpStatusCode.Created);
        var paper = await Api.Client.GetAsync("/vote/" + await Kit.Credential(id, "M000002"));
        Assert.That(paper.StatusCode, Is.EqualTo(HttpStatusCode.OK), "a valid link is never refused for the address it comes from");
        Assert.That(await Kit.Scalar<long>("SELECT COUNT(*) FROM ballot_paper"), Is.EqualTo(1));
    }

    [Test]
    public async Task Turnout_shows_who_voted_per_constituency_and_hour_but_never_a_choice()
    {
        var id = await Kit.OpenConsultative(counting: "per-workplace");
        await Kit.VoteOk(id, "M000001", """{"boycott":"Yes"}""");
        await Kit.VoteOk(id, "M000004", """{"boycott":"Yes"}""");
        Api.Clock.Advance(TimeSpan.FromHours(1));
        await Kit.VoteOk(id, "M000002", """{"boycott":"No"}""");
        using var scrut = await Api.ClientFor(Roles.Scrutineer);
        var response = await (await scrut.GetAsync($"/api/ballots/{id}/turnout")).AssertStatus(HttpStatusCode.OK);
        var text = await response.Content.ReadAsStringAsync();
        var t = JsonNode.Parse(text)!;
        Assert.That(((long)t["entitled"]!, (long)t["voted"]!, (decimal)t["percent"]!), Is.EqualTo((12L, 3L, 25.00m)));
        var school1 = t["constituencies"]!.AsArray().Single(c => (string)c!["name"]! == "School 1 (Employer 1)")!;
        Assert.That(((long)school1["entitled"]!, (long)school1["voted"]!), Is.EqualTo((4L, 2L)), "M000001 and M000004 work at School 1");
        Assert.That(t["overTime"]!.AsArray().Select(h => ((long)h!["voted"]!, (long)h["cumulative"]!)), Is.EqualTo(new[] { (2L, 2L), (1L, 3L) }));
        Assert.That((string)t["overTime"]![0]!["hour"]!, Does.StartWith("2026-09-07T09:00:00"));
        Assert.That(text, Does.Not.Contain("Yes").And.Not.Contain("No\"").And.Not.Contain("boycott"));

        using var org = await Api.ClientFor(Roles.Organiser);
        await (await org.GetAsync($"/api/ballots/{id}/turnout")).AssertProblem(HttpStatusCode.Forbidden);
        using var exec = await Api.ClientFor(Roles.Executive);
        await (await exec.GetAsync($"/api/ballots/{id}/result")).AssertProblem(HttpStatusCode.Conflict);
        await (await Api.Client.GetAsync($"/api/ballots/{id}/result")).AssertProblem(HttpStatusCode.Conflict);
    }

    [Test]
    public async Task The_counters_pages_read_agree_with_a_recount_of_the_rows_after_every_kind_of_change()
    {
        var id = await Kit.OpenConsultative(counting: "per-workplace");
        await Kit.VoteOk(id, "M000001", """{"boycott":"Yes"}""");
        await Kit.VoteOk(id, "M000004", """{"boycott":"No"}""");
        Api.Clock.Advance(TimeSpan.FromHours(1));
        var again = await Kit.Credential(id, "M000001");
        await (await Kit.Vote(again, """{"boycott":"No"}""")).AssertProblem(HttpStatusCode.Conflict);
        await Kit.VoteOk(id, "M000002", """{"boycott":"Yes"}""");
        await using var conn = await Api.OpenAsync();
        await AssertCountersAgree(conn, id, voted: 3);

        // One statement changing many rows at once (as a batch of votes does), and a recipient's state moving.
        await conn.ExecuteAsync("UPDATE ballot_elector SET voted = 1, voted_hour = @hour WHERE ballot_id = @id AND voted = 0 AND member_id IN (SELECT id FROM member WHERE membership_number IN ('M000005', 'M000006', 'M000007'))",
            new { id, hour = new DateTimeOffset(2026, 9, 7, 11, 0, 0, TimeSpan.Zero) });
        await conn.ExecuteAsync("UPDATE mailing_recipient SET state = 'cancelled' WHERE id IN (SELECT id FROM mailing_recipient ORDER BY id LIMIT 4)");
        await conn.ExecuteAsync("UPDATE mailing_recipient SET attempts = attempts + 1");
        await AssertCountersAgree(conn, id, voted: 6);
        var cancelled = await conn.ExecuteScalarAsync<long>("SELECT SUM(n) FROM mailing_tally WHERE state = 'cancelled'");
        Assert.That(cancelled, Is.EqualTo(4));
    }

    private static async Task AssertCountersAgree(System.Data.Common.DbConnection conn, long id, long voted)
    {
        var byConstituency = (await conn.QueryAsync<(string, long)>(
            "SELECT constituency, SUM(voted) FROM ballot_elector WHERE ballot_id = @id AND voted = 1 GROUP BY constituency ORDER BY constituency", new { id })).ToList();
        var counted = (await conn.QueryAsync<(string, long)>(
            "SELECT constituency, SUM(voted) FROM ballot_turnout WHERE ballot_id = @id GROUP BY constituency HAVING SUM(voted) <> 0 ORDER BY constituency", new { id })).ToList();
        Assert.That(counted, Is.EqualTo(byConstituency));
        var byHour = (await conn.QueryAsync<(DateTimeOffset, long)>(
            "SELECT voted_hour, COUNT(*) FROM ballot_elector WHERE ballot_id = @id AND voted = 1 GROUP BY voted_hour ORDER BY voted_hour", new { id })).ToList();
        var hours = await Ballot.Core.Ballots.TurnoutCounts.ByHourAsync(conn, id);
        Assert.That(hours.Select(h => (h.VotedHour, h.Voted)), Is.EqualTo(byHour));
        Assert.That(await Ballot.Core.Ballots.TurnoutCounts.VotedAsync(conn, id), Is.EqualTo(voted));
        var recipients = (await conn.QueryAsync<(long, string, long)>(
            "SELECT mailing_id, state, COUNT(*) FROM mailing_recipient GROUP BY mailing_id, state ORDER BY mailing_id, state")).ToList();
        var tally = (await conn.QueryAsync<(long, string, long)>(
            "SELECT mailing_id, state, SUM(n) FROM mailing_tally GROUP BY mailing_id, state HAVING SUM(n) <> 0 ORDER BY mailing_id, state")).ToList();
        Assert.That(recipients, Is.Not.Empty, "opening queued the voting letters");
        Assert.That(tally, Is.EqualTo(recipients));
    }

    [Test]
    public async Task The_database_after_voting_holds_nothing_that_links_a_member_to_a_choice()
    {
        var id = await Kit.OpenConsultative();
        for (var i = 1; i <= 6; i++) await Kit.VoteOk(id, $"M{i:D6}", i % 2 == 0 ? """{"boycott":"Yes"}""" : """{"boycott":"No"}""");
        await using var conn = await Api.OpenAsync();
        var columns = TestDatabase.Engine == Ballot.Core.Data.Engine.Sqlite
            ? (await conn.QueryAsync<string>("SELECT name FROM pragma_table_info('ballot_paper') ORDER BY cid")).ToList()
            : (await conn.QueryAsync<string>("SELECT column_name FROM information_schema.columns WHERE table_name = 'ballot_paper' ORDER BY ordinal_position")).ToList();
        Assert.That(columns, Is.EqualTo(new[] { "ballot_id", "tracker", "constituency", "sealed" }), "no member, credential, time or plaintext answer on a paper");
        if (TestDatabase.Engine == Ballot.Core.Data.Engine.Sqlite)
            Assert.That(async () => await conn.ExecuteScalarAsync<long>("SELECT rowid FROM ballot_paper LIMIT 1"), Throws.Exception,
                "no hidden rowid records the order papers arrived in");
        var electorColumns = TestDatabase.Engine == Ballot.Core.Data.Engine.Sqlite
            ? (await conn.QueryAsync<string>("SELECT name FROM pragma_table_info('ballot_elector')")).ToList()
            : (await conn.QueryAsync<string>("SELECT column_name FROM information_schema.columns WHERE table_name = 'ballot_elector'")).ToList();
        // email: the delivery address frozen at opening (ADR 0220), about the member the row already names, nothing about a choice.
        Assert.That(electorColumns, Is.EquivalentTo(new[] { "ballot_id", "member_id", "constituency", "credential_hash", "voted", "voted_hour", "email" }));
        // Voted hours are whole hours.
        var hours = (await conn.QueryAsync<DateTimeOffset>("SELECT voted_hour FROM ballot_elector WHERE voted = 1")).ToList();
        Assert.That(hours.Select(h => (h.Minute, h.Second, h.Millisecond)), Is.All.EqualTo((0, 0, 0)));
        // No table holds an answer in the clear, ballot_paper included: it holds them sealed.
        var tables = TestDatabase.Engine == Ballot.Core.Data.Engine.Sqlite
            ? (await conn.QueryAsync<string>("SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'")).ToList()
            : (await conn.QueryAsync<string>("SELECT table_name FROM information_schema.tables WHERE table_schema = 'public'")).ToList();
        foreach (var table in tables)
        {
            var dump = string.Join("\n", (await conn.QueryAsync($"SELECT * FROM {table}")).Select(r => string.Join("|", ((IDictionary<string, object>)r).Values)));
            Assert.That(dump, Does.Not.Contain("\"boycott\":\"Yes\"").And.Not.Contain("\"boycott\":\"No\""), table);
        }
    }
    [Test]
    public async Task Staff_see_this_processs_sealing_stock_drawn_by_votes_and_filled_again()
    {
        var id = await Kit.OpenConsultative();
        using var exec = await Api.ClientFor(Roles.Executive);
        async Task<JsonNode> Stock() => await (await (await exec.GetAsync($"/api/ballots/{id}/sealing-stock")).AssertStatus(HttpStatusCode.OK)).ReadJson();
        var before = await Stock();
        Assert.That((bool)before["started"]!, Is.False, "no vote or voting page has started the pools yet");
        Assert.That(before["pools"]!.AsArray(), Is.Empty);
        Assert.That((int)before["slotsPerQuestion"]!, Is.EqualTo(4));

        foreach (var member in (string[])["M000001", "M000002", "M000003"])
            await Kit.VoteOk(id, member, """{"boycott":"Yes","timing":"Spring term"}""");

        // Each question has a pool of its own option count (yes, no, spoiled; three terms and spoiled): one answer each per vote.
        var after = await Stock();
        Assert.That((bool)after["started"]!, Is.True);
        var pools = after["pools"]!.AsArray().Select(p => p!).OrderBy(p => (int)p["options"]!).ToList();
        Assert.That(pools.Select(p => (int)p["options"]!), Is.EqualTo(new[] { 3, 4 }));
        Assert.That(pools.Select(p => (int)p["capacity"]!), Is.EqualTo(new[] { 4, 4 }));
        Assert.That(pools.Select(p => (long)p["sealedFromStock"]! + (long)p["sealedDirectly"]!), Is.EqualTo(new[] { 3L, 3L }));
        Assert.That(pools.All(p => (int)p["ready"]! is >= 0 and <= 4));

        // The background fill brings every pool back to its capacity.
        var deadline = DateTime.UtcNow.AddSeconds(60);
        JsonNode stock;
        do
        {
            stock = await Stock();
            if ((bool)stock["full"]!) break;
            await Task.Delay(100);
        } while (DateTime.UtcNow < deadline);
        Assert.That((bool)stock["full"]!, Is.True, stock.ToJsonString());
        Assert.That(stock["pools"]!.AsArray().Select(p => (int)p!["ready"]!), Is.EqualTo(new[] { 4, 4 }));

        await (await exec.GetAsync("/api/ballots/999999/sealing-stock")).AssertProblem(HttpStatusCode.NotFound);
    }
}
