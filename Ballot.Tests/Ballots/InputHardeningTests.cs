using System.Net;
using System.Net.Http.Headers;
using System.Text;
using Ballot.Core.Staff;
using Ballot.Tests.Infrastructure;
using Dapper;

namespace Ballot.Tests.Ballots;

/// <summary>Malformed input is a 400, never a 500, and one bad ballot blocks no other.</summary>
public sealed class InputHardeningTests() : BallotApiTests(6, 2)
{
    [Test]
    public async Task A_malformed_voting_form_is_answered_400_and_records_nothing()
    {
        var id = await Kit.OpenConsultative();
        var credential = await Kit.Credential(id, "M000001");

        var noBoundary = new ByteArrayContent("q:boycott=Yes"u8.ToArray());
        noBoundary.Headers.ContentType = new MediaTypeHeaderValue("multipart/form-data");
        var response = await Api.Client.PostAsync($"/vote/{credential}", noBoundary);
        Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.BadRequest));
        Assert.That(await response.Content.ReadAsStringAsync(), Does.Contain("could not be read").And.Contain($"/vote/{credential}"));

        var tooMany = new StringContent(string.Join("&", Enumerable.Range(0, 1100).Select(i => $"q:x{i}=Yes")), Encoding.ASCII,
            "application/x-www-form-urlencoded");
        response = await Api.Client.PostAsync($"/vote/{credential}", tooMany);
        Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.BadRequest));

        Assert.That(Api.Logs.Lines.Where(l => l.StartsWith("Error ") || l.StartsWith("Critical ")), Is.Empty, "no error logged for a client's bad form");
        Assert.That(await Kit.Scalar<long>("SELECT COUNT(*) FROM ballot_paper WHERE ballot_id = @id", new { id }), Is.Zero);
        Assert.That(await Kit.Scalar<long>("SELECT SUM(voted) FROM ballot_elector WHERE ballot_id = @id", new { id }), Is.Zero);

        // The link still works with a well-formed form.
        var ok = await Api.Client.PostAsync($"/vote/{credential}", new FormUrlEncodedContent([new("q:boycott", "Yes")]));
        Assert.That(ok.StatusCode, Is.EqualTo(HttpStatusCode.OK), await ok.Content.ReadAsStringAsync());
        Assert.That(await Kit.Scalar<long>("SELECT COUNT(*) FROM ballot_paper WHERE ballot_id = @id", new { id }), Is.EqualTo(1));
    }

    [TestCase("""{"regions":[null]}""", "electorate.regions")]
    [TestCase("""{"employers":["Acme", " "]}""", "electorate.employers")]
    [TestCase("""{"categories":[""]}""", "electorate.categories")]
    public async Task A_blank_entry_in_an_electorate_list_is_refused(string electorate, string key)
    {
        using var exec = await Api.ClientFor(Roles.Executive);
        var problem = await (await exec.PostAsync("/api/ballots", Http.JsonBody(BallotKit.Consultative(Kit.Now, Kit.Now.AddDays(3), electorate))))
            .AssertProblem(HttpStatusCode.BadRequest);
        Assert.That(problem["errors"]![key], Is.Not.Null, problem.ToJsonString());
        Assert.That(await Kit.Scalar<long>("SELECT COUNT(*) FROM ballot"), Is.Zero);
    }

    [TestCase("""[null]""", "questions[0]")]
    [TestCase("""[{"id":"a","text":"Yes or no?","options":["Yes","Yes "]}]""", "questions[0].options")]
    [TestCase("""[{"id":"a","text":"Yes or no?","options":["Yes","spoiled "]}]""", "questions[0].options")]
    [TestCase("""[{"id":"a","text":"Yes or no?","options":["Yes",null]}]""", "questions[0].options")]
    [TestCase("""[{"id":"a","text":"One?","options":["Yes","No"]},{"id":"a ","text":"Two?","options":["Yes","No"]}]""", "questions[1].id")]
    public async Task Questions_are_checked_as_they_will_be_stored(string questions, string key)
    {
        using var exec = await Api.ClientFor(Roles.Executive);
        var json = $$"""
            {"title":"T","kind":"consultative","counting":"aggregated","opensAt":"{{Kit.Now:O}}","closesAt":"{{Kit.Now.AddDays(3):O}}",
             "electorate":{},"reminderDaysBeforeClose":[],"questions":{{questions}} }
            """;
        var problem = await (await exec.PostAsync("/api/ballots", Http.JsonBody(json))).AssertProblem(HttpStatusCode.BadRequest);
        Assert.That(problem["errors"]![key], Is.Not.Null, problem.ToJsonString());
    }

    [Test]
    public async Task Question_ids_and_options_are_stored_trimmed()
    {
        using var exec = await Api.ClientFor(Roles.Executive);
        var json = $$"""
            {"title":"T","kind":"consultative","counting":"aggregated","opensAt":"{{Kit.Now:O}}","closesAt":"{{Kit.Now.AddDays(3):O}}",
             "electorate":{},"reminderDaysBeforeClose":[],"questions":[{"id":" pay ","text":" Accept? ","options":[" Yes","No "]}] }
            """;
        var created = await (await (await exec.PostAsync("/api/ballots", Http.JsonBody(json))).AssertStatus(HttpStatusCode.Created)).ReadJson();
        var q = created["questions"]![0]!;
        Assert.That(((string)q["id"]!, (string)q["text"]!), Is.EqualTo(("pay", "Accept?")));
        Assert.That(q["options"]!.AsArray().Select(o => (string)o!), Is.EqualTo(new[] { "Yes", "No" }));
    }

    [Test]
    public async Task A_ballot_that_fails_to_open_does_not_stop_another_from_closing_and_the_run_still_fails()
    {
        var closing = await Kit.Create(BallotKit.Consultative(Kit.Now, Kit.Now.AddHours(6)));
        await Kit.Open(closing);
        await Kit.VoteOk(closing, "M000001", """{"boycott":"Yes"}""");
        var broken = await Kit.Create(BallotKit.Consultative(Kit.Now.AddHours(1), Kit.Now.AddDays(3)));
        var legacy = await Kit.Create(BallotKit.Consultative(Kit.Now.AddHours(1), Kit.Now.AddDays(3)));
        await using (var conn = await Api.OpenAsync())
        {
            // A definition the current code cannot read, and one saved before list entries were validated.
            await conn.ExecuteAsync("UPDATE ballot SET definition = 'not json' WHERE id = @broken", new { broken });
            await conn.ExecuteAsync("UPDATE ballot SET definition = replace(definition, '\"regions\":null', '\"regions\":[null]') WHERE id = @legacy", new { legacy });
        }
        Assert.That(await Kit.Scalar<string>("SELECT definition FROM ballot WHERE id = @legacy", new { legacy }), Does.Contain("\"regions\":[null]"));
        using var exec = await Api.ClientFor(Roles.Executive);
        Api.Clock.Advance(TimeSpan.FromHours(7));

        var failed = Assert.ThrowsAsync<AggregateException>(() => Kit.RunWorker());
        Assert.That(failed!.InnerExceptions, Has.Count.EqualTo(1), "the unreadable draft only; the legacy one is a refusal");
        Assert.That(await Kit.Scalar<string>("SELECT status FROM ballot WHERE id = @closing", new { closing }), Is.EqualTo("closed"));
        await Kit.CountClosed();   // the run threw before the trustees could decrypt what it closed
        Assert.That(await Kit.Scalar<string>("SELECT result FROM ballot_count WHERE ballot_id = @closing", new { closing }), Is.Not.Null);
        Assert.That(await Kit.Scalar<string>("SELECT status FROM ballot WHERE id = @legacy", new { legacy }), Is.EqualTo("draft"));
        Assert.That(Api.Logs.All, Does.Contain($"Ballot {legacy} is due to open but cannot"));

        var refused = await (await exec.PostAsync($"/api/ballots/{legacy}/open", null)).AssertProblem(HttpStatusCode.Conflict);
        Assert.That((string)refused["detail"]!, Does.Contain("empty entry"));
    }
}
