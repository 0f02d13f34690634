using System.Net;
using Ballot.Core.Staff;
using Ballot.Tests.Infrastructure;
using Dapper;

namespace Ballot.Tests.Motions;

/// <summary>The seed motion (Easter conference 2001) imported as plain text, and followed through to its instructions.</summary>
public sealed class MotionImportTests() : MotionApiTests(conference: false)
{
    private static string SeedText(string seed) => seed[seed.IndexOf("Conference opposes", StringComparison.Ordinal)..];

    [Test]
    public async Task Importing_the_seed_keeps_its_title_and_text_byte_for_byte_typos_included()
    {
        var seed = MotionsClient.Seed();
        var conference = await Exec.Conference();
        var motion = await Exec.Import(conference, seed, "?number=7&proposerKind=division&proposerName=Sheffield");

        Assert.That((string?)motion["title"], Is.EqualTo("NUT policy on Performance Management passed at the Easter annual conference 2001"));
        Assert.That((string?)motion["text"], Is.EqualTo(SeedText(seed)));
        Assert.That((string?)motion["originalText"], Is.EqualTo(SeedText(seed)));
        Assert.That((int)motion["number"]!, Is.EqualTo(7));
        Assert.That((string?)motion["proposer"]!["name"], Is.EqualTo("Sheffield"));
        Assert.That((string?)motion["status"], Is.EqualTo("submitted"));
        foreach (var typo in new[] { "key evidencefor making", "staff re;lations", "furtehr work", "Write to ever member", "performance managament", "meet the meeds of this pupils" })
            Assert.That((string?)motion["text"], Does.Contain(typo));

        await using var conn = await Api.OpenAsync();
        var stored = await conn.QuerySingleAsync<string>("SELECT original_text FROM motion WHERE id = @id", new { id = (long)motion["id"]! });
        Assert.That(System.Text.Encoding.UTF8.GetBytes(stored), Is.EqualTo(System.Text.Encoding.UTF8.GetBytes(SeedText(seed))), "stored byte for byte");
    }

    [Test]
    public async Task Importing_the_seed_finds_its_three_instructions_and_their_due_terms()
    {
        var conference = await Exec.Conference();
        var motion = await Exec.Import(conference, MotionsClient.Seed());
        var instructions = motion["instructions"]!.AsArray();

        Assert.That(instructions, Has.Count.EqualTo(3));
        Assert.That((string?)instructions[0]!["text"], Does.StartWith("Write to ever member in the Summer Term 2001"));
        Assert.That((string?)instructions[0]!["dueTerm"], Is.EqualTo("summer"));
        Assert.That((int?)instructions[0]!["dueYear"], Is.EqualTo(2001));
        Assert.That((string?)instructions[0]!["dueOn"], Is.EqualTo("2001-07-31"));
        Assert.That((string?)instructions[1]!["text"], Does.StartWith("Conduct a national ballot by members in the autumn term 2001"));
        Assert.That((string?)instructions[1]!["dueTerm"], Is.EqualTo("autumn"));
        Assert.That((string?)instructions[1]!["dueOn"], Is.EqualTo("2001-12-31"));
        Assert.That((string?)instructions[2]!["text"], Does.StartWith("Produce materials for parents, governors and other trade unionists"));
        Assert.That((string?)instructions[2]!["text"], Does.EndWith("meet the meeds of this pupils."));
        Assert.That(instructions[2]!["dueOn"], Is.Null, "the third names no term");
        Assert.That(motion["actionItems"]!.AsArray(), Is.Empty, "no action items until conference carries the motion");
    }

    [Test]
    public async Task Import_refuses_an_empty_body_a_title_alone_and_json()
    {
        var conference = await Exec.Conference();
        async Task<HttpResponseMessage> Send(string text, string type) =>
            await Exec.Http.PostAsync($"/api/conferences/{conference}/motions/import", new StringContent(text, System.Text.Encoding.UTF8, type));
        await (await Send("  \n\n", "text/plain")).AssertProblem(HttpStatusCode.BadRequest);
        var titleOnly = await (await Send("Just a title\n", "text/plain")).AssertProblem(HttpStatusCode.BadRequest);
        Assert.That(titleOnly["errors"]!["body"]![0]!.ToString(), Does.Contain("motion text must follow"));
        await (await Send("{}", "application/json")).AssertProblem(HttpStatusCode.UnsupportedMediaType);
        await (await Exec.Http.PostAsync("/api/conferences/987654/motions/import",
            new StringContent("Title\n\nText", System.Text.Encoding.UTF8, "text/plain"))).AssertProblem(HttpStatusCode.NotFound);
    }

    /// <summary>The walkthrough's story: the seed carried with an amendment and a card vote; its instructions followed.</summary>
    [Test]
    public async Task Seed_motion_carried_with_an_amendment_and_a_card_vote_gives_three_action_items()
    {
        var seed = MotionsClient.Seed();
        var conference = await Exec.Conference();
        var motion = await Exec.Import(conference, seed);
        var id = (long)motion["id"]!;
        var amendment = await Exec.Amend(id, new { mover = MotionsClient.Branch("Camden"), kind = "delete", words = "Write to ever member", insertWords = "Write to every member" });
        await Exec.Status(id, "prioritised");
        await Exec.Status(id, "debated");
        var afterAmendment = await Exec.Vote($"/api/amendments/{(long)amendment["id"]!}/vote", new { method = "card", @for = 152_000, against = 31_000, abstain = 4_200 });
        Assert.That((string?)afterAmendment["amendments"]![0]!["status"], Is.EqualTo("carried"));
        Assert.That((string?)afterAmendment["text"], Does.Contain("Write to every member in the Summer Term 2001"));
        Assert.That((string?)afterAmendment["originalText"], Is.EqualTo(SeedText(seed)), "the text as entered is kept");

        var carried = await Exec.Vote($"/api/motions/{id}/vote", new { method = "card", @for = 160_500, against = 20_250, abstain = 3_000, totalCast = 183_750 });
        Assert.That((string?)carried["status"], Is.EqualTo("carried"));
        Assert.That((long?)carried["decision"]!["for"], Is.EqualTo(160_500));
        var items = carried["actionItems"]!.AsArray();
        Assert.That(items.Select(i => (string?)i!["dueOn"]), Is.EqualTo(new[] { "2001-07-31", "2001-12-31", null }));
        Assert.That((string?)items[0]!["text"], Does.StartWith("Write to every member"), "the amended text gives the instruction");
        Assert.That(items.Select(i => (string?)i!["status"]), Is.All.EqualTo("open"));

        var history = carried["history"]!.AsArray();
        Assert.That(history, Has.Count.EqualTo(2));
        Assert.That((string?)history[0]!["text"], Is.EqualTo(SeedText(seed)));
        Assert.That((int?)history[1]!["amendmentNumber"], Is.EqualTo(1));

        await using var conn = await Api.OpenAsync();
        Assert.That(await conn.ExecuteScalarAsync<long>("SELECT COUNT(*) FROM instruction WHERE motion_id = @id", new { id }), Is.EqualTo(3));
        Assert.That(await conn.ExecuteScalarAsync<string>("SELECT status FROM motion WHERE id = @id", new { id }), Is.EqualTo("carried"));
        Assert.That(await conn.ExecuteScalarAsync<long>("SELECT COUNT(*) FROM motion_vote WHERE motion_id = @id", new { id }), Is.EqualTo(2));

        // The second instruction (the national ballot) is linked to the ballot that carries it out.
        var second = (long)items[1]!["id"]!;
        var now = Api.Clock.GetUtcNow();
        var created = await (await Exec.Http.PostAsync("/api/ballots", Http.JsonBody(Ballots.BallotKit.IndustrialAction(now.AddDays(7), now.AddDays(21)))))
            .AssertStatus(HttpStatusCode.Created);
        var ballot = (long)(await created.ReadJson())["id"]!;
        var missing = await (await Exec.Post($"/api/instructions/{second}/links", new { kind = "ballot", id = ballot + 1000 })).AssertProblem(HttpStatusCode.BadRequest);
        Assert.That(missing["errors"]!["id"]![0]!.ToString(), Is.EqualTo($"No ballot with id {ballot + 1000}."));
        var linked = await (await (await Exec.Post($"/api/instructions/{second}/links", new { kind = "ballot", id = ballot })).AssertStatus(HttpStatusCode.OK)).ReadJson();
        Assert.That(linked["links"]!.AsArray().Select(l => ((string?)l!["kind"], (long)l["id"]!)), Is.EqualTo(new[] { ("ballot", ballot) }));
        Assert.That((string?)linked["links"]![0]!["linkedBy"], Is.EqualTo("Test executive"));
        var open = (await Exec.Get($"/api/instructions?status=open&motionId={id}")).AsArray();
        Assert.That(open.Select(i => i!["links"]!.AsArray().Count), Is.EqualTo(new[] { 0, 1, 0 }));
        Assert.That(await conn.ExecuteScalarAsync<long>("SELECT target_id FROM instruction_link WHERE instruction_id = @second AND kind = 'ballot'", new { second }), Is.EqualTo(ballot));
    }
}
