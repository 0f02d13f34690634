using System.Net;
using System.Text.Json.Nodes;
using Ballot.Core.Staff;
using Ballot.Tests.Infrastructure;
using Dapper;

namespace Ballot.Tests.Motions;

public sealed class MotionLifecycleTests : MotionApiTests
{
    [Test]
    public async Task Conference_is_recorded_with_its_name_place_and_dates()
    {
        var id = await Exec.Conference("Easter annual conference 2001", "2001-04-14", "2001-04-18");
        var c = await Exec.Get($"/api/conferences/{id}");
        Assert.That((string?)c["name"], Is.EqualTo("Easter annual conference 2001"));
        Assert.That((string?)c["place"], Is.EqualTo("Harrogate"));
        Assert.That((string?)c["startsOn"], Is.EqualTo("2001-04-14"));
        Assert.That((string?)c["endsOn"], Is.EqualTo("2001-04-18"));
        var all = await Exec.Get("/api/conferences");
        Assert.That(all.AsArray().Select(x => (long)x!["id"]!), Does.Contain(id));
        var bad = await (await Exec.Post("/api/conferences", new { name = "", place = "X", startsOn = "2001-04-18", endsOn = "2001-04-14" }))
            .AssertProblem(HttpStatusCode.BadRequest);
        Assert.That(bad["errors"]!["name"], Is.Not.Null);
        Assert.That(bad["errors"]!["endsOn"], Is.Not.Null);
    }

    [Test]
    public async Task Motion_text_is_kept_exactly_as_entered()
    {
        const string text = "  Conference  notes\tthe  teh typo.\r\n\r\n\u00a0Indented line with trailing spaces   \n\nLast line without newline ";
        var motion = await Exec.Motion(ConferenceId, text, "  Title with spaces ");
        Assert.That((string?)motion["text"], Is.EqualTo(text));
        Assert.That((string?)motion["originalText"], Is.EqualTo(text));
        Assert.That((string?)motion["title"], Is.EqualTo("Title with spaces"));
        var again = await Exec.Get($"/api/motions/{(long)motion["id"]!}");
        Assert.That((string?)again["text"], Is.EqualTo(text));
        await using var conn = await Api.OpenAsync();
        Assert.That(await conn.QuerySingleAsync<string>("SELECT original_text FROM motion WHERE id = @id", new { id = (long)motion["id"]! }), Is.EqualTo(text));
        Assert.That(await conn.QuerySingleAsync<string>("SELECT text FROM motion WHERE id = @id", new { id = (long)motion["id"]! }), Is.EqualTo(text));
    }

    [Test]
    public async Task Motion_has_number_proposer_seconder_and_topic_and_numbers_are_unique_per_conference()
    {
        var conference = await Exec.Conference();
        var first = await Exec.Motion(conference, "Conference believes.");
        var second = await Exec.Motion(conference, "Conference also believes.");
        Assert.That((int)first["number"]!, Is.EqualTo(1));
        Assert.That((int)second["number"]!, Is.EqualTo(2), "the next free number when none is given");
        Assert.That((string?)first["proposer"]!["kind"], Is.EqualTo("branch"));
        Assert.That((string?)first["seconder"]!["name"], Is.EqualTo("Kirklees"));
        Assert.That((string?)first["topic"], Is.EqualTo("Pay"));
        var dup = await (await Exec.Post($"/api/conferences/{conference}/motions",
            new { number = 2, title = "T", text = "x", proposer = new { kind = "member", name = "A. Member" } })).AssertProblem(HttpStatusCode.Conflict);
        Assert.That((string?)dup["detail"], Does.Contain("already has a motion 2"));
        var list = await Exec.Get($"/api/conferences/{conference}/motions");
        Assert.That(list.AsArray().Select(m => (int)m!["number"]!), Is.EqualTo(new[] { 1, 2 }));
    }

    [Test]
    public async Task A_motion_without_title_text_or_proposer_is_refused_field_by_field()
    {
        var r = await (await Exec.Post($"/api/conferences/{ConferenceId}/motions",
            new { title = " ", text = "", proposer = new { kind = "union", name = "" } })).AssertProblem(HttpStatusCode.BadRequest);
        Assert.That(r["errors"]!["title"], Is.Not.Null);
        Assert.That(r["errors"]!["text"], Is.Not.Null);
        Assert.That(r["errors"]!["proposer.kind"], Is.Not.Null);
        Assert.That(r["errors"]!["proposer.name"], Is.Not.Null);
        await (await Exec.Post("/api/conferences/987654/motions", new { title = "T", text = "x", proposer = new { kind = "member", name = "A" } }))
            .AssertProblem(HttpStatusCode.NotFound);
        await (await Exec.Post($"/api/conferences/{ConferenceId}/motions", new { title = "T", text = "x", colour = "red" }))
            .AssertProblem(HttpStatusCode.BadRequest);
    }

    [Test]
    public async Task Only_sensible_status_changes_are_allowed_and_a_refusal_says_which_are()
    {
        var id = (long)(await Exec.Motion(ConferenceId, "Conference resolves."))["id"]!;
        Assert.That((await Exec.Get($"/api/motions/{id}"))["allowedTransitions"]!.AsArray().Select(s => (string?)s),
            Is.EqualTo(new[] { "prioritised", "debated", "withdrawn" }));

        var toRemitted = await (await Exec.Post($"/api/motions/{id}/status", new { status = "remitted" })).AssertProblem(HttpStatusCode.Conflict);
        Assert.That((string?)toRemitted["detail"], Is.EqualTo("A motion that is 'submitted' can become: prioritised, debated, withdrawn."));
        var toCarried = await (await Exec.Post($"/api/motions/{id}/status", new { status = "carried" })).AssertProblem(HttpStatusCode.Conflict);
        Assert.That((string?)toCarried["detail"], Does.Contain($"/api/motions/{id}/vote"));

        await Exec.Status(id, "prioritised");
        var back = await (await Exec.Post($"/api/motions/{id}/status", new { status = "submitted" })).AssertProblem(HttpStatusCode.Conflict);
        Assert.That((string?)back["detail"], Is.EqualTo("A motion that is 'prioritised' can become: debated, withdrawn."));
        await Exec.Status(id, "debated");
        var remitted = await Exec.Status(id, "remitted");
        Assert.That((string?)remitted["status"], Is.EqualTo("remitted"));
        Assert.That(remitted["allowedTransitions"]!.AsArray(), Is.Empty);
        Assert.That(remitted["statusHistory"]!.AsArray().Select(s => (string?)s!["to"]), Is.EqualTo(new[] { "submitted", "prioritised", "debated", "remitted" }));
        Assert.That((string?)remitted["statusHistory"]![3]!["by"], Is.EqualTo("Test executive"));
        var after = await (await Exec.Post($"/api/motions/{id}/status", new { status = "withdrawn" })).AssertProblem(HttpStatusCode.Conflict);
        Assert.That((string?)after["detail"], Does.Contain("has been decided"));

        var unknown = await (await Exec.Post($"/api/motions/{id}/status", new { status = "shelved" })).AssertProblem(HttpStatusCode.BadRequest);
        Assert.That(unknown["errors"]!["status"]![0]!.ToString(), Does.Contain("submitted, prioritised, debated, carried, lost, remitted, withdrawn"));
        await using var conn = await Api.OpenAsync();
        Assert.That(await conn.ExecuteScalarAsync<string>("SELECT status FROM motion WHERE id = @id", new { id }), Is.EqualTo("remitted"));
    }

    [Test]
    public async Task Withdrawing_a_motion_withdraws_its_undecided_amendments()
    {
        var id = (long)(await Exec.Motion(ConferenceId, "Conference deplores cuts."))["id"]!;
        await Exec.Amend(id, new { mover = MotionsClient.Branch("York"), kind = "insert", words = "all", place = "before", anchor = "cuts" });
        var withdrawn = await Exec.Status(id, "withdrawn");
        Assert.That((string?)withdrawn["amendments"]![0]!["status"], Is.EqualTo("withdrawn"));
        var late = await (await Exec.Post($"/api/motions/{id}/amendments", new { mover = MotionsClient.Branch("York"), kind = "add", words = "More." }))
            .AssertProblem(HttpStatusCode.Conflict);
        Assert.That((string?)late["detail"], Does.Contain("withdrawn"));
    }

    [Test]
    public async Task An_organiser_reads_motions_but_cannot_record_them()
    {
        var organiser = await Api.ClientFor(Roles.Organiser);
        var id = (long)(await Exec.Motion(ConferenceId, "Conference notes."))["id"]!;
        await (await organiser.GetAsync($"/api/motions/{id}")).AssertStatus(HttpStatusCode.OK);
        await (await organiser.PostAsync($"/api/motions/{id}/status", Http.JsonBody("""{"status":"debated"}"""))).AssertProblem(HttpStatusCode.Forbidden);
        var scrutineer = await Api.ClientFor(Roles.Scrutineer);
        await (await scrutineer.GetAsync($"/api/motions/{id}")).AssertProblem(HttpStatusCode.Forbidden);
    }

    [Test]
    public async Task Unknown_motion_is_404()
    {
        await (await Exec.Http.GetAsync("/api/motions/987654")).AssertProblem(HttpStatusCode.NotFound);
        await (await Exec.Post("/api/motions/987654/status", new { status = "debated" })).AssertProblem(HttpStatusCode.NotFound);
    }
}
