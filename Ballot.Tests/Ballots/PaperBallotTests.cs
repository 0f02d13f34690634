using System.IO.Compression;
using System.Net;
using System.Text.Json.Nodes;
using Ballot.Core.Ballots;
using Ballot.Core.Ballots.Papers;
using Ballot.Core.Staff;
using Ballot.Tests.Infrastructure;
using Dapper;
using Microsoft.Extensions.DependencyInjection;
using UglyToad.PdfPig;

namespace Ballot.Tests.Ballots;

/// <summary>
/// Issue 16, items 4-6: voting papers printed by the worker, returned papers entered by the scrutineer, and one count of
/// both channels. One API and database for the fixture; each test makes its own ballots over the same register.
/// </summary>
public sealed class PaperBallotTests
{
    private ApiHost _api = null!;
    private BallotKit _kit = null!;
    private string _printFolder = null!;

    [OneTimeSetUp]
    public async Task StartApiWithRegister()
    {
        _printFolder = Path.Combine(Path.GetTempPath(), "ballot-tests", "print-" + Guid.NewGuid().ToString("N"));
        _api = await ApiHost.StartAsync(s => s["Ballots:PrintFolder"] = _printFolder);
        _kit = new BallotKit(_api);
        await _kit.ImportMembers(MemberCsv.Generate(12, schools: 3));
        await using var conn = await _api.OpenAsync();
        // Home addresses with postcodes in an order other than the membership numbers', so the print order shows.
        for (var i = 1; i <= 12; i++)
            await conn.ExecuteAsync("UPDATE member SET address_line1 = @line, town = 'Leeds', postcode = @postcode WHERE membership_number = @number",
                new { line = $"{i} Chapel Street", postcode = $"LS{13 - i} 1AB", number = $"M{i:D6}" });
        // M000001 has only a work email (marked), M000002's address is at its employer's domain, M000003 has none.
        await conn.ExecuteAsync("UPDATE member SET email_kind = 'work' WHERE membership_number = 'M000001'");
        await conn.ExecuteAsync("UPDATE member SET email = 'head@school2.sch.uk' WHERE membership_number = 'M000002'");
        await conn.ExecuteAsync("UPDATE member SET email = NULL WHERE membership_number = 'M000003'");
        await conn.ExecuteAsync("INSERT INTO employer (name) SELECT DISTINCT employer FROM workplace WHERE true ON CONFLICT (name) DO NOTHING");
        await conn.ExecuteAsync("""
            INSERT INTO employer_email_domain (employer, domain)
            SELECT DISTINCT w.employer, '*.sch.uk' FROM workplace w JOIN member m ON m.workplace_id = w.id WHERE m.membership_number = 'M000002'
            """);
        await _kit.CommenceVotingOrder();
    }

    [OneTimeTearDown]
    public async Task StopApi()
    {
        await _api.DisposeAsync();
        if (Directory.Exists(_printFolder)) Directory.Delete(_printFolder, recursive: true);
    }

    private static string WithMethod(string json, string method) => json.Replace("\"kind\":", $"\"votingMethod\":\"{method}\",\"kind\":");

    private async Task<long> OpenBallot(string json)
    {
        var id = await _kit.Create(json);
        if (json.Contains("industrial-action")) await _kit.GiveNotices(id);
        await _kit.Open(id);
        return id;
    }

    private sealed record Printed(JsonNode Job, List<string[]> Manifest, Dictionary<string, byte[]> Pdfs);

    /// <summary>Asks for a print run over HTTP, runs the worker's job, and reads the zip back over HTTP.</summary>
    private async Task<Printed> Print(long id)
    {
        using var exec = await _api.ClientFor(Roles.Executive);
        var queued = await (await (await exec.PostAsync($"/api/ballots/{id}/print-jobs", null)).AssertStatus(HttpStatusCode.Accepted)).ReadJson();
        Assert.That((string)queued["status"]!, Is.EqualTo("pending"));
        Assert.That(await ActivatorUtilities.CreateInstance<PrintRunner>(_api.App.Services).RunDueAsync(CancellationToken.None), Is.EqualTo(1));
        var job = (await (await (await exec.GetAsync($"/api/ballots/{id}/print-jobs")).AssertStatus(HttpStatusCode.OK)).ReadJson()).AsArray()[0]!;
        Assert.That((string)job["status"]!, Is.EqualTo("done"), (string?)job["error"]);
        var zipBytes = await (await (await exec.GetAsync((string)job["download"]!)).AssertStatus(HttpStatusCode.OK)).Content.ReadAsByteArrayAsync();
        using var zip = new ZipArchive(new MemoryStream(zipBytes));
        var pdfs = new Dictionary<string, byte[]>();
        List<string[]> manifest = [];
        foreach (var entry in zip.Entries)
        {
            using var s = entry.Open();
            using var copy = new MemoryStream();
            await s.CopyToAsync(copy);
            if (entry.Name == "manifest.csv")
                manifest = System.Text.Encoding.UTF8.GetString(copy.ToArray()).Split("\r\n", StringSplitOptions.RemoveEmptyEntries).Skip(1).Select(l => l.Split(',')).ToList();
            else pdfs[entry.Name] = copy.ToArray();
        }
        return new Printed(job, manifest, pdfs);
    }

    private static string PageText(byte[] pdf, int page)
    {
        using var doc = PdfDocument.Open(pdf);
        return string.Join(" ", doc.GetPage(page).GetWords().Select(w => w.Text));
    }

    private async Task<JsonNode> Enter(long id, string papersJson, string role = Roles.Scrutineer)
    {
        using var client = await _api.ClientFor(role);
        return await (await (await client.PostAsync($"/api/ballots/{id}/returned-papers", Http.JsonBody($$$"""{"papers":{{{papersJson}}}}""")))
            .AssertStatus(HttpStatusCode.OK)).ReadJson();
    }

    private async Task<JsonNode> Reconciliation(long id)
    {
        using var scrut = await _api.ClientFor(Roles.Scrutineer);
        return await (await (await scrut.GetAsync($"/api/ballots/{id}/returned-papers")).AssertStatus(HttpStatusCode.OK)).ReadJson();
    }

    private async Task<string> SerialOf(long id, string number) =>
        PaperCodes.SerialText(await _kit.Scalar<long>("""
            SELECT v.serial FROM ballot_voting_paper v JOIN member m ON m.id = v.member_id WHERE v.ballot_id = @id AND m.membership_number = @number
            """, new { id, number }));

    [Test]
    public async Task A_hybrid_ballot_counts_each_member_once_whether_they_vote_online_by_paper_or_both()
    {
        var id = await OpenBallot(WithMethod(BallotKit.IndustrialAction(_kit.Now, _kit.Now.AddDays(14), ips: false), "hybrid"));
        // Letters with a link go only to personal emails: 12 electors less one work-marked, one at a work domain, one without.
        Assert.That(await _kit.Scalar<long>("""
            SELECT COUNT(*) FROM mailing_recipient r JOIN mailing m ON m.id = r.mailing_id WHERE m.source_id = @id AND m.purpose = 'voting-letter'
            """, new { id }), Is.EqualTo(9));

        var printed = await Print(id);
        Assert.That((long)printed.Job["papers"]!, Is.EqualTo(12), "hybrid: every elector gets a paper");
        Assert.That(((long)printed.Job["noEmail"]!, (long)printed.Job["workEmail"]!), Is.EqualTo((1L, 2L)));
        Assert.That(printed.Manifest.Select(r => r[6]), Is.Ordered.Using((IComparer<string>)StringComparer.Ordinal), "sorted by postcode");
        Assert.That(printed.Manifest.Select(r => r[0]), Is.EqualTo(Enumerable.Range(1, 12).Select(i => PaperCodes.SerialText(i))));
        Assert.That(printed.Manifest[0][1], Is.EqualTo("First12 Last12"), "LS1 1AB is first");
        var pdf = printed.Pdfs.Single().Value;
        using (var doc = PdfDocument.Open(pdf)) Assert.That(doc.NumberOfPages, Is.EqualTo(12), "one A4 page per paper");
        var m4Credential = await _kit.Credential(id, "M000004");
        var m4Code = PaperCodes.ShortCode(m4Credential);
        var m4Serial = await SerialOf(id, "M000004");
        var page = PageText(pdf, int.Parse(m4Serial));
        Assert.That(page, Does.Contain(m4Serial).And.Contain("First4").And.Contain("Electoral Reform Services").And.Contain(PaperCodes.Display(m4Code))
            .And.Contain("you may be in breach of your contract"));

        // The short code typed at /vote is the same credential as the letter's link.
        using (var noRedirect = new HttpClient(new HttpClientHandler { AllowAutoRedirect = false }) { BaseAddress = _api.BaseAddress })
        {
            var typed = await noRedirect.PostAsync("/vote", new FormUrlEncodedContent([new("code", PaperCodes.Display(m4Code).ToLowerInvariant())]));
            Assert.That(typed.StatusCode, Is.EqualTo(HttpStatusCode.Redirect));
            Assert.That(typed.Headers.Location!.ToString(), Is.EqualTo("/vote/" + m4Credential));
            var wrong = await noRedirect.PostAsync("/vote", new FormUrlEncodedContent([new("code", "ABCD-EFGH-JKMN-PQRS")]));
            Assert.That(wrong.StatusCode, Is.EqualTo(HttpStatusCode.NotFound));
        }

        // Online: M000005 Yes/Yes, M000006 No/No.
        await _kit.VoteOk(id, "M000005", """{"strike":"Yes","action-short-of-strike":"Yes"}""");
        await _kit.VoteOk(id, "M000006", """{"strike":"No","action-short-of-strike":"No"}""");

        var m5Serial = await SerialOf(id, "M000005");
        var m7Serial = await SerialOf(id, "M000007");
        var m8Url = _kit.VoteUrl(id, await _kit.MemberId("M000008"));
        var batch = await Enter(id, $$$"""
            [{"serial":"{{{m5Serial}}}","answers":{"strike":"No","action-short-of-strike":"No"}},
             {"code":"{{{PaperCodes.Display(m4Code)}}}","answers":{"strike":"Yes","action-short-of-strike":"No"}},
             {"serial":"{{{int.Parse(m7Serial)}}}","answers":{"strike":"Yes","action-short-of-strike":"Yes"}},
             {"code":"{{{m8Url}}}","answers":{}},
             {"serial":"999"},
             {"serial":"{{{m7Serial}}}","answers":{"strike":"No"}}]
            """);
        var outcomes = batch["outcomes"]!.AsArray().Select(o => (string)o!["outcome"]!).ToList();
        Assert.That(outcomes, Is.EqualTo(new[] { "duplicate", "counted", "counted", "counted", "unknown", "already-entered" }));
        Assert.That((string)batch["outcomes"]![1]!["receipt"]!, Does.Match("^[0-9a-f]{8}(-[0-9a-f]{8}){7}$"));
        var paperReceipt = (string)batch["outcomes"]![1]!["receipt"]!;

        // Secrecy as online: the paper's tracker is stored only in ballot_paper, which names no serial or member, and its marks only sealed.
        await using (var conn = await _api.OpenAsync())
        {
            var tables = TestDatabase.Engine == Ballot.Core.Data.Engine.Sqlite
                ? (await conn.QueryAsync<string>("SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'")).ToList()
                : (await conn.QueryAsync<string>("SELECT table_name FROM information_schema.tables WHERE table_schema = 'public'")).ToList();
            foreach (var table in tables)
            {
                var dump = string.Join("\n", (await conn.QueryAsync($"SELECT * FROM {table}")).Select(r => string.Join("|", ((IDictionary<string, object>)r).Values)));
                Assert.That(dump, Does.Not.Contain("\"strike\":\"Yes\""), table);
                if (table != "ballot_paper") Assert.That(dump, Does.Not.Contain(paperReceipt.Replace("-", "")), table);
            }
        }

        // The counted papers keep running sums as online votes do (ADR 0907), under a writer of their batch's own; the
        // online votes wrote theirs through one writer per lane they used (ADR 0912: up to two on PostgreSQL).
        var lanes = _api.App.Services.GetRequiredService<Ballot.Core.Ballots.Voting.VoteStores>().Lanes;
        Assert.That(await _kit.Scalar<long>("SELECT SUM(papers) FROM ballot_running_sum WHERE ballot_id = @id", new { id }), Is.EqualTo(5));
        Assert.That(await _kit.Scalar<long>("SELECT COUNT(DISTINCT writer) FROM ballot_running_sum WHERE ballot_id = @id", new { id }), Is.InRange(2, 1 + lanes));

        // A serial entered twice is refused, in a later batch too; the member whose paper counted cannot vote online.
        var again = await Enter(id, $$$"""[{"serial":"{{{m7Serial}}}","answers":{"strike":"No","action-short-of-strike":"No"}}]""", Roles.Executive);
        Assert.That((string)again["outcomes"]![0]!["outcome"]!, Is.EqualTo("already-entered"));
        var online = await (await _kit.Vote(m4Credential, """{"strike":"No","action-short-of-strike":"No"}""")).AssertProblem(HttpStatusCode.Conflict);
        Assert.That((string)online["detail"]!, Does.Contain("already voted"));

        var rec = await Reconciliation(id);
        Assert.That(((long)rec["papersIssued"]!, (long)rec["papersReturned"]!, (long)rec["papersCounted"]!, (long)rec["duplicates"]!, (long)rec["votesOnline"]!),
            Is.EqualTo((12L, 4L, 3L, 1L, 2L)));
        Assert.That(rec["duplicateSerials"]!.AsArray().Select(s => (string)s!), Is.EqualTo(new[] { m5Serial }));

        // After the close a paper is late: refused and listed.
        _api.Clock.Advance(TimeSpan.FromDays(14));
        var m9Serial = await SerialOf(id, "M000009");
        var late = await Enter(id, $$$"""[{"serial":"{{{m9Serial}}}","answers":{"strike":"Yes","action-short-of-strike":"Yes"}}]""");
        Assert.That(((string)late["outcomes"]![0]!["outcome"]!, (long)late["counted"]!), Is.EqualTo(("late", 0L)));
        await _kit.RunWorker();
        Assert.That((await Reconciliation(id))["lateSerials"]!.AsArray().Select(s => (string)s!), Is.EqualTo(new[] { m9Serial }));

        // One count of both channels: online M5 Yes/Yes and M6 No/No; papers M4 Yes/No, M7 Yes/Yes, M8 blank (spoiled).
        using var exec = await _api.ClientFor(Roles.Executive);
        var result = (await (await (await exec.GetAsync($"/api/ballots/{id}/result")).AssertStatus(HttpStatusCode.OK)).ReadJson())["result"]!;
        Assert.That(((long)result["votesCast"]!, (long)result["votesOnline"]!, (long)result["votesByPost"]!), Is.EqualTo((5L, 2L, 3L)));
        var strike = result["constituencies"]![0]!["questions"]!.AsArray().Single(q => (string)q!["id"]! == "strike")!;
        Assert.That(strike["options"]!.AsArray().Select(o => (long)o!["votes"]!), Is.EqualTo(new[] { 3L, 1L }));
        Assert.That((long)strike["spoiled"]!, Is.EqualTo(1));
        using var scrut = await _api.ClientFor(Roles.Scrutineer);
        var certified = await (await (await scrut.PostAsync($"/api/ballots/{id}/certify", null)).AssertStatus(HttpStatusCode.OK)).ReadJson();
        Assert.That(certified["receipts"]!.AsArray().Select(r => (string)r!).ToList(), Does.Contain(paperReceipt).And.Count.EqualTo(5));
        var notice = await (await (await exec.GetAsync($"/api/ballots/{id}/employer-notice")).AssertStatus(HttpStatusCode.OK)).Content.ReadAsStringAsync();
        Assert.That(notice, Does.Contain("Votes cast, both channels together: 5 (2 online, 3 on voting papers returned by post)"));

        var events = (await (await _api.OpenAsync()).QueryAsync<string>("SELECT event FROM ballot_audit WHERE ballot_id = @id ORDER BY seq", new { id })).ToList();
        Assert.That(events, Does.Contain("voting-paper-batch-printed").And.Contain("voting-papers-printed").And.Contain("returned-paper-duplicate"));
        Assert.That(events.Count(e => e == "returned-papers-entered"), Is.EqualTo(3));
    }

    [Test]
    public async Task A_postal_ballot_sends_no_link_and_its_papers_carry_none()
    {
        // Industrial action defaults to postal where hybrid is not allowed; here it is asked for explicitly.
        var id = await OpenBallot(WithMethod(BallotKit.IndustrialAction(_kit.Now, _kit.Now.AddDays(14), ips: false), "postal"));
        Assert.That(await _kit.Scalar<long>("""
            SELECT COUNT(*) FROM mailing_recipient r JOIN mailing m ON m.id = r.mailing_id WHERE m.source_id = @id
            """, new { id }), Is.EqualTo(0), "no elector gets an email link");
        var printed = await Print(id);
        Assert.That((long)printed.Job["papers"]!, Is.EqualTo(12));
        Assert.That(await _kit.Scalar<long>("SELECT COUNT(*) FROM ballot_voting_paper WHERE ballot_id = @id AND short_code_hash IS NOT NULL", new { id }), Is.EqualTo(0));
        var text = PageText(printed.Pdfs.Single().Value, 1);
        Assert.That(text, Does.Contain("Voting paper").And.Not.Contain("/vote").And.Not.Contain("online"));
        var batch = await Enter(id, $$$"""[{"serial":"1","answers":{"strike":"Yes","action-short-of-strike":"No"}}]""");
        Assert.That((long)batch["counted"]!, Is.EqualTo(1));
    }

    [Test]
    public async Task An_electronic_ballot_posts_papers_only_to_electors_without_a_personal_email()
    {
        var id = await OpenBallot(WithMethod(BallotKit.Consultative(_kit.Now, _kit.Now.AddDays(10)), "electronic"));
        var printed = await Print(id);
        Assert.That(((long)printed.Job["papers"]!, (long)printed.Job["noEmail"]!, (long)printed.Job["workEmail"]!), Is.EqualTo((3L, 1L, 2L)));
        Assert.That(printed.Manifest.Select(r => r[1]).Order(), Is.EqualTo(new[] { "First1 Last1", "First2 Last2", "First3 Last3" }));
        Assert.That(await _kit.Scalar<long>("""
            SELECT COUNT(*) FROM mailing_recipient r JOIN mailing m ON m.id = r.mailing_id JOIN member p ON p.id = r.member_id
            WHERE m.source_id = @id AND p.membership_number IN ('M000001', 'M000002')
            """, new { id }), Is.EqualTo(0), "no link to a work address");
        using var exec = await _api.ClientFor(Roles.Executive);
        await (await exec.PostAsync($"/api/ballots/{id}/returned-papers", Http.JsonBody("""{"papers":[{"serial":"x"}]}"""))).AssertProblem(HttpStatusCode.BadRequest);
        await (await exec.PostAsync($"/api/ballots/{id}/returned-papers", Http.JsonBody("""{"papers":[{"serial":"1","answers":{"nope":"Yes"}}]}"""))).AssertProblem(HttpStatusCode.BadRequest);
        using var organiser = await _api.ClientFor(Roles.Organiser);
        await (await organiser.PostAsync($"/api/ballots/{id}/returned-papers", Http.JsonBody("""{"papers":[{"serial":"1"}]}"""))).AssertProblem(HttpStatusCode.Forbidden);
        Assert.That(await _kit.Scalar<long>("SELECT COUNT(*) FROM ballot_voting_paper WHERE ballot_id = @id AND returned IS NOT NULL", new { id }), Is.EqualTo(0));
    }
}
