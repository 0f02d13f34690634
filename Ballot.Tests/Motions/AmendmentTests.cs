using System.Net;
using Ballot.Core.Motions;
using Ballot.Core.Staff;
using Ballot.Tests.Infrastructure;
using Dapper;

namespace Ballot.Tests.Motions;

public sealed class AmendmentTextTests
{
    private const string Text = "Conference instructs the Executive to write to every member in the Summer Term.";

    private static string Apply(string kind, string? words, string? insertWords = null, string? place = null, string? anchor = null, int? occurrence = null) =>
        AmendmentText.Apply(Text, new AmendmentSpec(kind, words, insertWords, place, anchor, occurrence));

    [Test]
    public void Delete_removes_the_words_and_one_of_the_spaces_around_them() =>
        Assert.That(Apply("delete", "every"), Is.EqualTo("Conference instructs the Executive to write to member in the Summer Term."));

    [Test]
    public void Delete_before_punctuation_leaves_no_space() =>
        Assert.That(Apply("delete", "in the Summer Term"), Is.EqualTo("Conference instructs the Executive to write to every member."));

    [Test]
    public void Delete_and_insert_puts_the_new_words_exactly_in_place_of_the_old() =>
        Assert.That(Apply("delete", "Summer Term", "Autumn Term"), Is.EqualTo("Conference instructs the Executive to write to every member in the Autumn Term."));

    [Test]
    public void Insert_after_and_before_stated_words_adds_the_spaces_needed()
    {
        Assert.That(Apply("insert", "urgently", place: "after", anchor: "Executive"),
            Is.EqualTo("Conference instructs the Executive urgently to write to every member in the Summer Term."));
        Assert.That(Apply("insert", "and governor", place: "before", anchor: "in the Summer"),
            Is.EqualTo("Conference instructs the Executive to write to every member and governor in the Summer Term."));
        Assert.That(Apply("insert", ", and to every governor,", place: "after", anchor: "every member"),
            Is.EqualTo("Conference instructs the Executive to write to every member, and to every governor, in the Summer Term."));
    }

    [Test]
    public void Add_appends_at_the_end_and_replace_swaps_the_whole_text()
    {
        Assert.That(Apply("add", "It will report back in 2002."), Is.EqualTo(Text + " It will report back in 2002."));
        Assert.That(Apply("add", "\n\n4. Report back."), Is.EqualTo(Text + "\n\n4. Report back."));
        Assert.That(Apply("replace", "Conference notes the report."), Is.EqualTo("Conference notes the report."));
    }

    [Test]
    public void Words_not_in_the_text_are_refused_saying_which()
    {
        var e = Assert.Throws<AmendmentDoesNotApply>(() => Apply("delete", "every teacher"))!;
        Assert.That(e.Message, Is.EqualTo("The words to delete, \"every teacher\", are not in the motion's text (the match is exact, including case and punctuation)."));
        Assert.That(e.Field, Is.EqualTo("words"));
        var anchor = Assert.Throws<AmendmentDoesNotApply>(() => Apply("insert", "x", place: "after", anchor: "Autumn"))!;
        Assert.That(anchor.Field, Is.EqualTo("anchor"));
        Assert.That(anchor.Message, Does.StartWith("The words to insert after, \"Autumn\", are not in"));
    }

    [Test]
    public void Words_that_appear_twice_need_an_occurrence()
    {
        var e = Assert.Throws<AmendmentDoesNotApply>(() => Apply("delete", "to"))!;
        Assert.That(e.Message, Does.Contain("appear 2 times").And.Contain("occurrence (1 to 2)"));
        Assert.That(Apply("delete", "to", occurrence: 2), Is.EqualTo("Conference instructs the Executive to write every member in the Summer Term."));
        Assert.Throws<AmendmentDoesNotApply>(() => Apply("delete", "to", occurrence: 3));
    }
}

public sealed class AmendmentTests : MotionApiTests
{
    private const string Text = "Conference opposes Performance Related Pay.\n\nConference instructs the Executive to:\n  1. Write to every member in the Summer Term 2001.\n";

    [Test]
    public async Task Carried_amendments_produce_the_substantive_motion_and_keep_every_step()
    {
        var id = (long)(await Exec.Motion(ConferenceId, Text))["id"]!;
        var a1 = await Exec.Amend(id, new { mover = MotionsClient.Branch("Leeds"), kind = "insert", words = "and performance management", place = "after", anchor = "Pay" });
        Assert.That((int)a1["number"]!, Is.EqualTo(1));
        Assert.That((string?)a1["instruction"], Is.EqualTo("Insert \"and performance management\" after \"Pay\"."));
        var a2 = await Exec.Amend(id, new { mover = MotionsClient.Branch("Camden"), kind = "add", words = "  2. Report back to conference in 2002.\n" });
        var a3 = await Exec.Amend(id, new { mover = new { kind = "member", name = "J. Smith" }, kind = "delete", words = "every member", insertWords = "all members" });
        await Exec.Status(id, "debated");

        await Exec.Vote($"/api/amendments/{(long)a1["id"]!}/vote", new { method = "show-of-hands", result = "carried" });
        await Exec.Vote($"/api/amendments/{(long)a2["id"]!}/vote", new { method = "card", @for = 300, against = 100, abstain = 12 });
        var m = await Exec.Vote($"/api/amendments/{(long)a3["id"]!}/vote", new { method = "show-of-hands", result = "lost" });

        const string expected = "Conference opposes Performance Related Pay and performance management.\n\nConference instructs the Executive to:\n  1. Write to every member in the Summer Term 2001.\n  2. Report back to conference in 2002.\n";
        Assert.That((string?)m["text"], Is.EqualTo(expected));
        Assert.That((string?)m["originalText"], Is.EqualTo(Text));
        var amendments = m["amendments"]!.AsArray();
        Assert.That(amendments.Select(a => (string?)a!["status"]), Is.EqualTo(new[] { "carried", "carried", "lost" }));
        Assert.That((string?)amendments[0]!["textBefore"], Is.EqualTo(Text));
        Assert.That((string?)amendments[1]!["textAfter"], Is.EqualTo(expected));
        Assert.That((long?)amendments[1]!["vote"]!["for"], Is.EqualTo(300));
        Assert.That(amendments[2]!["textAfter"], Is.Null);
        var history = m["history"]!.AsArray();
        Assert.That(history.Select(h => (int?)h!["amendmentNumber"]), Is.EqualTo(new int?[] { null, 1, 2 }));
        Assert.That((string?)history[2]!["text"], Is.EqualTo(expected));
        Assert.That(m["instructions"]!.AsArray(), Has.Count.EqualTo(2), "the added instruction is recognised");

        await using var conn = await Api.OpenAsync();
        Assert.That(await conn.QuerySingleAsync<string>("SELECT text FROM motion WHERE id = @id", new { id }), Is.EqualTo(expected));
        Assert.That(await conn.QuerySingleAsync<string>("SELECT original_text FROM motion WHERE id = @id", new { id }), Is.EqualTo(Text));
        Assert.That(await conn.ExecuteScalarAsync<long>("SELECT COUNT(*) FROM motion_text_version WHERE motion_id = @id", new { id }), Is.EqualTo(3));
    }

    [Test]
    public async Task An_amendment_whose_words_are_not_in_the_motion_is_refused_with_a_clear_message()
    {
        var id = (long)(await Exec.Motion(ConferenceId, Text))["id"]!;
        var r = await (await Exec.Post($"/api/motions/{id}/amendments", new { mover = MotionsClient.Branch("Leeds"), kind = "delete", words = "Autumn Term" }))
            .AssertProblem(HttpStatusCode.BadRequest);
        Assert.That((string?)r["detail"], Is.EqualTo("The amendment cannot be applied to the motion: The words to delete, \"Autumn Term\", are not in the motion's text (the match is exact, including case and punctuation)."));
        Assert.That(r["errors"]!["words"], Is.Not.Null);
        var incomplete = await (await Exec.Post($"/api/motions/{id}/amendments", new { mover = MotionsClient.Branch("Leeds"), kind = "insert", words = "x" }))
            .AssertProblem(HttpStatusCode.BadRequest);
        Assert.That(incomplete["errors"]!["place"], Is.Not.Null);
        Assert.That(incomplete["errors"]!["anchor"], Is.Not.Null);
        await using var conn = await Api.OpenAsync();
        Assert.That(await conn.ExecuteScalarAsync<long>("SELECT COUNT(*) FROM amendment WHERE motion_id = @id", new { id }), Is.EqualTo(0));
    }

    [Test]
    public async Task An_amendment_overtaken_by_a_carried_one_cannot_be_carried()
    {
        var id = (long)(await Exec.Motion(ConferenceId, Text))["id"]!;
        var first = await Exec.Amend(id, new { mover = MotionsClient.Branch("Leeds"), kind = "delete", words = "Summer Term 2001", insertWords = "Autumn Term 2001" });
        var second = await Exec.Amend(id, new { mover = MotionsClient.Branch("York"), kind = "insert", words = "first", place = "before", anchor = "Summer Term" });
        await Exec.Status(id, "debated");
        await Exec.Vote($"/api/amendments/{(long)first["id"]!}/vote", new { method = "show-of-hands", result = "carried" });
        var r = await (await Exec.Post($"/api/amendments/{(long)second["id"]!}/vote", new { method = "show-of-hands", result = "carried" }))
            .AssertProblem(HttpStatusCode.Conflict);
        Assert.That((string?)r["detail"], Does.StartWith("Amendment 2 no longer applies to the motion as already amended: The words to insert before, \"Summer Term\", are not in"));
        // Lost, though, it can be.
        await Exec.Vote($"/api/amendments/{(long)second["id"]!}/vote", new { method = "show-of-hands", result = "lost" });
    }

    [Test]
    public async Task The_motion_is_voted_on_only_when_its_amendments_are_decided_and_during_its_debate()
    {
        var id = (long)(await Exec.Motion(ConferenceId, Text))["id"]!;
        var early = await (await Exec.Post($"/api/motions/{id}/vote", new { method = "show-of-hands", result = "carried" })).AssertProblem(HttpStatusCode.Conflict);
        Assert.That((string?)early["detail"], Does.Contain("set its status to debated first"));
        var a = await Exec.Amend(id, new { mover = MotionsClient.Branch("Leeds"), kind = "add", words = "Conference thanks members." });
        await Exec.Status(id, "debated");
        var pending = await (await Exec.Post($"/api/motions/{id}/vote", new { method = "show-of-hands", result = "carried" })).AssertProblem(HttpStatusCode.Conflict);
        Assert.That((string?)pending["detail"], Is.EqualTo("Decide or withdraw amendment 1 before conference votes on the motion."));
        var m = await Exec.Vote($"/api/amendments/{(long)a["id"]!}/withdraw", new { });
        Assert.That((string?)m["amendments"]![0]!["status"], Is.EqualTo("withdrawn"));
        var carried = await Exec.Vote($"/api/motions/{id}/vote", new { method = "show-of-hands", result = "carried" });
        Assert.That((string?)carried["status"], Is.EqualTo("carried"));
        Assert.That((string?)carried["text"], Is.EqualTo(Text));
        var again = await (await Exec.Post($"/api/motions/{id}/vote", new { method = "show-of-hands", result = "lost" })).AssertProblem(HttpStatusCode.Conflict);
        Assert.That((string?)again["detail"], Does.Contain("already 'carried'"));
    }
}
