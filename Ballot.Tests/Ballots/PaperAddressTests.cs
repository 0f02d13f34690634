using System.IO.Compression;
using System.Net;
using System.Text.Json.Nodes;
using Ballot.Core.Ballots.Papers;
using Ballot.Core.Staff;
using Ballot.Tests.Infrastructure;
using Dapper;
using Microsoft.Extensions.DependencyInjection;
using UglyToad.PdfPig;

namespace Ballot.Tests.Ballots;

/// <summary>
/// The paper-only gap of issue 16 (docs/security.md): an organiser could redirect a member's postal voting paper by
/// changing their home address before the print run, or move them between paper only and an online link by changing
/// their email kind, and nothing recorded it. Now the addressee is frozen when the ballot opens, as emails are, and every
/// change is recorded and enters the open ballot's audit chain (ADR 0620). Its own register: the changes would disturb
/// the other paper tests.
/// </summary>
public sealed class PaperAddressTests
{
    private ApiHost _api = null!;
    private BallotKit _kit = null!;
    private string _printFolder = null!;

    private const string Register = """
        membership_number,first_name,last_name,email,workplace,employer,region,category,address_line1,town,postcode,email_kind
        A1,Ann,Ash,ann@example.org,Hill Primary,Leeds LA,Yorkshire,teacher,1 Elm Road,Leeds,LS1 1AA,personal
        A2,Bob,Birch,bob@leeds.gov.uk,Hill Primary,Leeds LA,Yorkshire,teacher,2 Elm Road,Leeds,LS2 2BB,work
        A3,Cy,Cedar,cy@example.org,Hill Primary,Leeds LA,Yorkshire,teacher,3 Elm Road,Leeds,LS3 3CC,
        A4,Di,Dale,di@example.org,Hill Primary,Leeds LA,Yorkshire,teacher,4 Elm Road,Leeds,LS4 4DD,

        """;

    [OneTimeSetUp]
    public async Task Start()
    {
        _printFolder = Path.Combine(Path.GetTempPath(), "ballot-tests", "print-" + Guid.NewGuid().ToString("N"));
        _api = await ApiHost.StartAsync(s => s["Ballots:PrintFolder"] = _printFolder);
        _kit = new BallotKit(_api);
        await _kit.ImportMembers(Register);
        await _kit.CommenceVotingOrder();
    }

    [OneTimeTearDown]
    public async Task Stop()
    {
        await _api.DisposeAsync();
        if (Directory.Exists(_printFolder)) Directory.Delete(_printFolder, recursive: true);
    }

    private async Task<List<string>> Recipients(string where, object args) =>
        (await (await _api.OpenAsync()).QueryAsync<string>(
            $"SELECT r.email FROM mailing_recipient r JOIN mailing m ON m.id = r.mailing_id WHERE {where} ORDER BY r.email", args)).ToList();

    private async Task<JsonArray> History(string number)
    {
        using var exec = await _api.ClientFor(Roles.Executive);
        return (await (await (await exec.GetAsync($"/api/members/{number}/history")).AssertStatus(HttpStatusCode.OK)).ReadJson())["changes"]!.AsArray();
    }

    [Test]
    public async Task Changing_an_electors_home_address_or_email_kind_after_opening_moves_no_paper_and_no_link_and_is_recorded()
    {
        var json = BallotKit.IndustrialAction(_kit.Now, _kit.Now.AddDays(14), ips: false, reminders: "[7]")
            .Replace("\"kind\":", "\"votingMethod\":\"hybrid\",\"kind\":");
        var id = await _kit.Create(json);
        await _kit.GiveNotices(id);
        await _kit.Open(id);
        Assert.That(await Recipients("m.source_id = @id AND m.purpose = 'voting-letter'", new { id }),
            Is.EqualTo(new[] { "ann@example.org", "cy@example.org", "di@example.org" }), "a link to every personal email; Bob's is work");

        // After opening: the organiser sends Ann's paper elsewhere and marks her email as work; marks Bob's as personal;
        // an import moves Cy.
        using (var org = await _api.ClientFor(Roles.Organiser))
        {
            await (await org.PutAsync("/api/members/A1/home-address", Http.JsonBody("""{"line1":"9 Diversion Road","town":"Elsewhere","postcode":"zz9 9zz","emailKind":"work"}""")))
                .AssertStatus(HttpStatusCode.OK);
            await (await org.PutAsync("/api/members/A2/home-address", Http.JsonBody("""{"line1":"2 Elm Road","town":"Leeds","postcode":"LS2 2BB","emailKind":"personal"}""")))
                .AssertStatus(HttpStatusCode.OK);
        }
        var header = Register.Split('\n')[0];
        await _kit.ImportMembers(header + "\nA3,Cy,Cedar,cy@example.org,Hill Primary,Leeds LA,Yorkshire,teacher,3 Moved Street,Bradford,BD3 3CC,\n");

        // The reminder's link goes where the opening decided: still to Ann, still not to Bob.
        _api.Clock.Advance(TimeSpan.FromDays(7));
        Assert.That((await _kit.RunWorker()).Reminders, Is.EqualTo(1));
        Assert.That(await Recipients("m.source_id = @id AND m.purpose = 'reminder'", new { id }),
            Is.EqualTo(new[] { "ann@example.org", "cy@example.org", "di@example.org" }));

        // The print run addresses every paper as the register stood at opening.
        using var exec = await _api.ClientFor(Roles.Executive);
        await (await exec.PostAsync($"/api/ballots/{id}/print-jobs", null)).AssertStatus(HttpStatusCode.Accepted);
        Assert.That(await ActivatorUtilities.CreateInstance<PrintRunner>(_api.App.Services).RunDueAsync(CancellationToken.None), Is.EqualTo(1));
        var job = (await (await (await exec.GetAsync($"/api/ballots/{id}/print-jobs")).AssertStatus(HttpStatusCode.OK)).ReadJson()).AsArray()[0]!;
        Assert.That(((string)job["status"]!, (long)job["papers"]!, (long)job["workEmail"]!), Is.EqualTo(("done", 4L, 1L)), (string?)job["error"]);
        using var zip = new ZipArchive(new MemoryStream(await (await exec.GetAsync((string)job["download"]!)).Content.ReadAsByteArrayAsync()));
        string Read(ZipArchiveEntry e)
        {
            using var reader = new StreamReader(e.Open());
            return reader.ReadToEnd();
        }
        var manifest = Read(zip.GetEntry("manifest.csv")!);
        Assert.That(manifest, Does.Contain("Ann Ash,1 Elm Road,,,Leeds,LS1 1AA").And.Contain("Cy Cedar,3 Elm Road,,,Leeds,LS3 3CC")
            .And.Not.Contain("Diversion").And.Not.Contain("Moved"));
        var pdfEntry = zip.Entries.Single(e => e.Name.EndsWith(".pdf"));
        using var copy = new MemoryStream();
        using (var s = pdfEntry.Open()) await s.CopyToAsync(copy);
        using (var pdf = PdfDocument.Open(copy.ToArray()))
        {
            var pages = pdf.GetPages().Select(p => string.Join(" ", p.GetWords().Select(w => w.Text))).ToList();
            Assert.That(pages.Single(p => p.Contains("Ann Ash")), Does.Contain("1 Elm Road").And.Contain("LS1 1AA").And.Not.Contain("Diversion"));
            Assert.That(pages, Has.None.Contain("ZZ9 9ZZ").And.None.Contain("BD3 3CC"));
        }

        // Who changed what, old and new, for the executive.
        var ann = await History("A1");
        Assert.That(ann.Select(c => ((string)c!["field"]!, (string?)c["oldValue"], (string?)c["newValue"], (string)c["via"]!, (string)c["by"]!["name"]!)), Is.EqualTo(new[]
        {
            ("address", (string?)"1 Elm Road, Leeds, LS1 1AA", (string?)"9 Diversion Road, Elsewhere, ZZ9 9ZZ", "api", "Test organiser"),
            ("email_kind", "personal", "work", "api", "Test organiser"),
        }));
        Assert.That((await History("A2")).Select(c => ((string)c!["field"]!, (string?)c["oldValue"], (string?)c["newValue"])),
            Is.EqualTo(new[] { ("email_kind", (string?)"work", (string?)"personal") }), "an address set to what it was is no change");
        Assert.That((await History("A3")).Select(c => ((string)c!["field"]!, (string?)c["newValue"], (string)c["via"]!)),
            Is.EqualTo(new[] { ("address", (string?)"3 Moved Street, Bradford, BD3 3CC", "import") }));
        Assert.That(await History("A4"), Is.Empty, "an unchanged row records nothing");

        // The ballot's chain names the members and which field, never an address, and still verifies.
        using var scrut = await _api.ClientFor(Roles.Scrutineer);
        var audit = (await (await (await scrut.GetAsync($"/api/ballots/{id}/audit")).AssertStatus(HttpStatusCode.OK)).ReadJson()).AsArray();
        var changed = audit.Where(e => (string)e!["event"]! == "elector-changed").Select(e => e!["data"]!).ToList();
        Assert.That(changed.Select(d => ((string)d["via"]!, string.Join(" ", d["members"]!.AsArray().Select(m => (string)m!)), (int)d["address"]!, (int)d["emailKind"]!)),
            Is.EqualTo(new[] { ("api", "A1", 1, 1), ("api", "A2", 0, 1), ("import", "A3", 1, 0) }));
        Assert.That(changed.Select(d => d.ToJsonString()), Has.None.Contain("Elm").And.None.Contain("Diversion").And.None.Contain("Moved").And.None.Contain("@"));
        Assert.That((bool)(await (await scrut.GetAsync($"/api/ballots/{id}/audit/verify")).ReadJson())["intact"]!, Is.True);

        // Each member is told at the email address the ballot's letters go to.
        Assert.That(await Recipients("m.purpose = 'change-notice'", new { }), Is.EqualTo(new[] { "ann@example.org", "bob@leeds.gov.uk", "cy@example.org" }));

        // Erasure blanks the frozen addressee and the addresses in the history.
        using (var org = await _api.ClientFor(Roles.Organiser))
            await (await org.DeleteAsync("/api/members/A1")).AssertStatus(HttpStatusCode.NoContent);
        var member = await _kit.MemberId("A1");
        await using var conn = await _api.OpenAsync();
        Assert.That(await conn.ExecuteScalarAsync<long>("""
            SELECT COUNT(*) FROM ballot_paper_address
            WHERE member_id = @member AND coalesce(first_name, last_name, address_line1, address_line2, address_line3, town, postcode) IS NOT NULL
            """, new { member }), Is.Zero);
        Assert.That((await History("A1")).Where(c => (string)c!["field"]! == "address").SelectMany(c => new[] { c!["oldValue"], c["newValue"] }), Is.All.Null);
    }
}
