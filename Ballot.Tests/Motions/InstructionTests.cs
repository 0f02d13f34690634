using System.Net;
using Ballot.Core.Mail;
using Ballot.Core.Staff;
using Ballot.Tests.Infrastructure;
using Dapper;

namespace Ballot.Tests.Motions;

/// <summary>Action items from a carried motion: edited, assigned, progressed, linked, and listed while outstanding.</summary>
public sealed class InstructionTests
{
    private ApiHost _api = null!;
    private MotionsClient _exec = null!;

    [SetUp]
    public async Task Start()
    {
        _api = await ApiHost.StartAsync(s => s["Terms:Overrides:summer-2026"] = "2026-07-22");
        _exec = new MotionsClient(await _api.ClientFor(Roles.Executive));
    }

    [TearDown]
    public async Task Stop() => await _api.DisposeAsync();

    // The test clock starts on 2026-09-07.
    private const string Text = """
        Conference instructs the Executive to:
          1. Write to every member in the summer term 2026.
          2. Ballot members in the autumn term.
          3. Produce leaflets for parents.
        """;

    private async Task<long[]> CarriedItems()
    {
        var conference = await _exec.Conference("Annual Conference 2026", "2026-04-04", "2026-04-07");
        var motion = await _exec.Motion(conference, Text);
        var carried = await _exec.Carry((long)motion["id"]!);
        return carried["actionItems"]!.AsArray().Select(i => (long)i!["id"]!).ToArray();
    }

    [Test]
    public async Task Open_lists_what_is_outstanding_soonest_first_and_marks_what_is_overdue()
    {
        var ids = await CarriedItems();
        var open = (await _exec.Get("/api/instructions?status=open")).AsArray();
        Assert.That(open.Select(i => (long)i!["id"]!), Is.EqualTo(ids), "soonest due first; no due date last");
        Assert.That(open.Select(i => (string?)i!["dueOn"]), Is.EqualTo(new[] { "2026-07-22", "2026-12-31", null }), "configured summer 2026 end; autumn of the conference's year");
        Assert.That(open.Select(i => (bool)i!["overdue"]!), Is.EqualTo(new[] { true, false, false }));
        Assert.That((int)open[0]!["motionNumber"]!, Is.EqualTo(1));
        Assert.That((await _exec.Get("/api/instructions?status=overdue")).AsArray().Select(i => (long)i!["id"]!), Is.EqualTo(new[] { ids[0] }));

        _api.Clock.SetUtcNow(new DateTimeOffset(2027, 1, 4, 9, 0, 0, TimeSpan.Zero));
        Assert.That((await _exec.Get("/api/instructions?status=overdue")).AsArray().Select(i => (long)i!["id"]!), Is.EqualTo(new[] { ids[0], ids[1] }));

        var done = await (await _exec.Http.PatchAsync($"/api/instructions/{ids[0]}", Http.JsonBody("""{"progress":"done","progressNote":"Letter sent 2 July."}""")))
            .AssertStatus(HttpStatusCode.OK);
        var item = await done.ReadJson();
        Assert.That((string?)item["status"], Is.EqualTo("done"));
        Assert.That((bool)item["overdue"]!, Is.False);
        Assert.That((await _exec.Get("/api/instructions?status=open")).AsArray().Select(i => (long)i!["id"]!), Is.EqualTo(new[] { ids[1], ids[2] }));
        Assert.That((await _exec.Get("/api/instructions?status=done")).AsArray().Select(i => (long)i!["id"]!), Is.EqualTo(new[] { ids[0] }));
        await (await _exec.Http.GetAsync("/api/instructions?status=late")).AssertProblem(HttpStatusCode.BadRequest);
    }

    [Test]
    public async Task The_executive_corrects_assigns_and_records_progress()
    {
        var ids = await CarriedItems();
        var patch = await (await _exec.Http.PatchAsync($"/api/instructions/{ids[2]}", Http.JsonBody(
            """{"text":"Produce leaflets for parents and governors.","dueTerm":"spring","dueYear":2027,"assignee":"Jo Bloggs","progress":"in-progress","progressNote":"Draft with the designer."}""")))
            .AssertStatus(HttpStatusCode.OK);
        var item = await patch.ReadJson();
        Assert.That((string?)item["text"], Is.EqualTo("Produce leaflets for parents and governors."));
        Assert.That((string?)item["dueTerm"], Is.EqualTo("spring"));
        Assert.That((string?)item["dueOn"], Is.EqualTo("2027-03-28"), "Easter Sunday 2027");
        Assert.That((string?)item["assignee"], Is.EqualTo("Jo Bloggs"));
        Assert.That((string?)item["progress"], Is.EqualTo("in-progress"));
        Assert.That((string?)item["updatedBy"], Is.EqualTo("Test executive"));

        var exact = await (await (await _exec.Http.PatchAsync($"/api/instructions/{ids[2]}", Http.JsonBody("""{"dueOn":"2027-02-12","assignee":""}""")))
            .AssertStatus(HttpStatusCode.OK)).ReadJson();
        Assert.That((string?)exact["dueOn"], Is.EqualTo("2027-02-12"));
        Assert.That(exact["dueTerm"], Is.Null);
        Assert.That(exact["assignee"], Is.Null);
        Assert.That((string?)exact["progressNote"], Is.EqualTo("Draft with the designer."), "fields not given are unchanged");

        Assert.That((await _exec.Get("/api/instructions?assignee=jo%20bloggs")).AsArray(), Is.Empty);
        await using var conn = await _api.OpenAsync();
        var row = await conn.QuerySingleAsync<(string Text, string DueOn, string Progress)>("SELECT text, due_on, progress FROM instruction WHERE id = @id", new { id = ids[2] });
        Assert.That(row, Is.EqualTo(("Produce leaflets for parents and governors.", "2027-02-12", "in-progress")));

        var bad = await (await _exec.Http.PatchAsync($"/api/instructions/{ids[2]}", Http.JsonBody("""{"progress":"nearly","dueTerm":"winter"}""")))
            .AssertProblem(HttpStatusCode.BadRequest);
        Assert.That(bad["errors"]!["progress"], Is.Not.Null);
        Assert.That(bad["errors"]!["dueTerm"], Is.Not.Null);
        var organiser = await _api.ClientFor(Roles.Organiser);
        await (await organiser.PatchAsync($"/api/instructions/{ids[2]}", Http.JsonBody("""{"progress":"done"}"""))).AssertProblem(HttpStatusCode.Forbidden);
        await (await organiser.GetAsync("/api/instructions")).AssertStatus(HttpStatusCode.OK);
    }

    [Test]
    public async Task An_instruction_is_linked_to_the_mailing_that_carries_it_out_once_it_exists()
    {
        var ids = await CarriedItems();
        long mailing;
        await using (var conn = await _api.OpenAsync())
        await using (var tx = await conn.BeginTransactionAsync())
        {
            mailing = await MailQueue.EnqueueAsync(conn, tx, new NewMailing("campaign", "Why we oppose performance pay", "Dear member", null, null, null, "motion",
                _api.Clock.GetUtcNow()), "SELECT id AS member_id, email FROM member");
            await tx.CommitAsync();
        }

        var missing = await (await _exec.Post($"/api/instructions/{ids[0]}/links", new { kind = "mailing", id = mailing + 1000 })).AssertProblem(HttpStatusCode.BadRequest);
        Assert.That(missing["errors"]!["id"]![0]!.ToString(), Is.EqualTo($"No mailing with id {mailing + 1000}."));
        var linked = await (await (await _exec.Post($"/api/instructions/{ids[0]}/links", new { kind = "mailing", id = mailing })).AssertStatus(HttpStatusCode.OK)).ReadJson();
        Assert.That(linked["links"]!.AsArray().Select(l => ((string?)l!["kind"], (long)l["id"]!)), Is.EqualTo(new[] { ("mailing", mailing) }));
        await (await _exec.Post($"/api/instructions/{ids[0]}/links", new { kind = "mailing", id = mailing })).AssertProblem(HttpStatusCode.Conflict);
        var open = (await _exec.Get("/api/instructions")).AsArray();
        Assert.That(open[0]!["links"]!.AsArray(), Has.Count.EqualTo(1));
        var unknownKind = await (await _exec.Post($"/api/instructions/{ids[0]}/links", new { kind = "petition", id = 1 })).AssertProblem(HttpStatusCode.BadRequest);
        Assert.That(unknownKind["errors"]!["kind"], Is.Not.Null);

        await using (var conn = await _api.OpenAsync())
            Assert.That(await conn.ExecuteScalarAsync<long>("SELECT target_id FROM instruction_link WHERE instruction_id = @id AND kind = 'mailing'", new { id = ids[0] }), Is.EqualTo(mailing));

        var unlinked = await (await (await _exec.Http.DeleteAsync($"/api/instructions/{ids[0]}/links/mailing/{mailing}")).AssertStatus(HttpStatusCode.OK)).ReadJson();
        Assert.That(unlinked["links"]!.AsArray(), Is.Empty);
        await (await _exec.Http.DeleteAsync($"/api/instructions/{ids[0]}/links/mailing/{mailing}")).AssertProblem(HttpStatusCode.NotFound);
    }

    [Test]
    public async Task Linking_to_a_ballot_or_campaign_that_does_not_exist_is_refused()
    {
        var ids = await CarriedItems();
        await using var conn = await _api.OpenAsync();
        foreach (var kind in new[] { "ballot", "campaign" })
        {
            var r = await (await _exec.Post($"/api/instructions/{ids[1]}/links", new { kind, id = 987_654 })).AssertProblem(HttpStatusCode.BadRequest);
            Assert.That((string?)r["detail"] + r["errors"], Does.Contain($"No {kind} with id 987654"));
        }
        Assert.That(await conn.ExecuteScalarAsync<long>("SELECT COUNT(*) FROM instruction_link"), Is.EqualTo(0));
    }
}
