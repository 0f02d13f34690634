using System.Net;
using Ballot.Core.Staff;
using Ballot.Tests.Infrastructure;

namespace Ballot.Tests.Motions;

public sealed class SearchSnippetTests
{
    [Test]
    public void The_snippet_is_the_text_around_the_first_match_with_matches_in_brackets()
    {
        var text = string.Join(' ', Enumerable.Range(1, 40).Select(i => $"w{i}")) + " Conference opposes Performance Related Pay, and pays.\n\nMore words follow here.";
        var snippet = Ballot.Core.Motions.SearchMotions.Snippet(text, Ballot.Core.Motions.SearchMotions.Parse("\"performance related pay\""), words: 10);
        Assert.That(snippet, Is.EqualTo("…w40 Conference opposes [Performance] [Related] [Pay], and [pays]. More words…"));
        Assert.That(Ballot.Core.Motions.SearchMotions.Snippet("Short text.", Ballot.Core.Motions.SearchMotions.Parse("absent")), Is.EqualTo("Short text."));
        var phrase = Ballot.Core.Motions.SearchMotions.Snippet(MotionsClient.Seed(), Ballot.Core.Motions.SearchMotions.Parse("\"performance related pay\""));
        Assert.That(phrase, Does.Contain("[Performance] [Related] [Pay]"), "centred on the phrase, not the first word of it");
    }
}

public sealed class MotionSearchTests
{
    private ApiHost _api = null!;
    private MotionsClient _exec = null!;
    private long _conference;
    private long _seed, _pay, _class, _other;

    [OneTimeSetUp]
    public async Task Start()
    {
        _api = await ApiHost.StartAsync();
        _exec = new MotionsClient(await _api.ClientFor(Roles.Executive));
        _conference = await _exec.Conference();
        _seed = (long)(await _exec.Import(_conference, MotionsClient.Seed()))["id"]!;
        _pay = (long)(await _exec.Motion(_conference, "Conference rejects pay related to the performance of pupils in tests.", "Teachers' pay"))["id"]!;
        _class = (long)(await _exec.Motion(_conference, "Conference believes class sizes must fall to 25.", "Class sizes"))["id"]!;
        var other = await _exec.Conference("Special conference 2002", "2002-06-01", "2002-06-01");
        _other = (long)(await _exec.Motion(other, "Conference opposes Performance Related Pay in sixth-form colleges.", "Colleges"))["id"]!;
    }

    [OneTimeTearDown]
    public async Task Stop() => await _api.DisposeAsync();

    private async Task<long[]> Search(string query) =>
        (await _exec.Get("/api/motions/search?q=" + Uri.EscapeDataString(query)))["items"]!.AsArray().Select(i => (long)i!["id"]!).ToArray();

    [Test]
    public async Task A_quoted_phrase_finds_only_motions_with_those_words_together()
    {
        Assert.That(await Search("\"performance related pay\""), Is.EquivalentTo(new[] { _seed, _other }));
        Assert.That(await Search("performance related pay"), Is.EquivalentTo(new[] { _seed, _pay, _other }), "unquoted, every word anywhere");
        Assert.That(await Search("\"pay related\""), Is.EqualTo(new[] { _pay }));
    }

    [Test]
    public async Task Words_match_in_their_other_forms_and_typos_are_searchable_as_entered()
    {
        Assert.That(await Search("classes size"), Is.EqualTo(new[] { _class }));
        Assert.That(await Search("managament"), Is.EqualTo(new[] { _seed }), "the seed's typo is in the index as entered");
    }

    [Test]
    public async Task Results_can_be_limited_to_one_conference_and_carry_a_snippet()
    {
        var body = await _exec.Get($"/api/motions/search?q=colleges&conferenceId={_conference}");
        Assert.That(body["items"]!.AsArray(), Is.Empty);
        var hit = (await _exec.Get("/api/motions/search?q=boycott"))["items"]![0]!;
        Assert.That((long)hit["id"]!, Is.EqualTo(_seed));
        Assert.That((string?)hit["snippet"], Does.Contain("[boycott]"));
        Assert.That((string?)hit["conferenceName"], Is.EqualTo("Annual Conference 2001"));
    }

    [Test]
    public async Task Search_syntax_of_the_engines_is_taken_as_plain_words()
    {
        foreach (var q in new[] { "pay*", "NEAR(pay class)", "pay OR class", "\"unbalanced", "pay & !class", "title:pay", "-pay", "a'b" })
            await (await _exec.Http.GetAsync("/api/motions/search?q=" + Uri.EscapeDataString(q))).AssertStatus(HttpStatusCode.OK);
        Assert.That(await Search("pay*"), Is.EquivalentTo(await Search("pay")));
        await (await _exec.Http.GetAsync("/api/motions/search?q=")).AssertProblem(HttpStatusCode.BadRequest);
        await (await _exec.Http.GetAsync("/api/motions/search?q=%22%22%20%2A")).AssertProblem(HttpStatusCode.BadRequest);
    }

    [Test]
    public async Task A_carried_amendment_is_searchable_at_once()
    {
        var conference = await _exec.Conference();
        var id = (long)(await _exec.Motion(conference, "Conference supports the campaign."))["id"]!;
        var a = await _exec.Amend(id, new { mover = MotionsClient.Branch("Leeds"), kind = "add", words = "Conference salutes the dinner ladies." });
        await _exec.Status(id, "debated");
        Assert.That(await Search("dinner ladies"), Is.Empty);
        await _exec.Vote($"/api/amendments/{(long)a["id"]!}/vote", new { method = "show-of-hands", result = "carried" });
        Assert.That(await Search("dinner ladies"), Is.EqualTo(new[] { id }));
    }
}
