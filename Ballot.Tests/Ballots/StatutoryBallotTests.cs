using System.Net;
using System.Text.Json.Nodes;
using Ballot.Core.Ballots.Notices;
using Ballot.Core.Members;
using Ballot.Core.Staff;
using Ballot.Tests.Infrastructure;
using Ballot.Tests.Mail;
using Dapper;
using MimeKit;
using UglyToad.PdfPig;

namespace Ballot.Tests.Ballots;

/// <summary>
/// Issue 16, first half: voting methods as data, home addresses and work emails in the register, and the s.226A notices
/// that must reach every employer before an industrial-action ballot opens. One API, database and SMTP server for the class.
/// </summary>
public sealed class StatutoryBallotTests
{
    private ApiHost _api = null!;
    private BallotKit _kit = null!;
    private SmtpTestServer _smtp = null!;
    private HttpClient _exec = null!;

    // Headers as membership systems write them (ADR 0511): "Address 1", "Town/City", "Post Code", "Email Type".
    private const string Register = """
        Membership No,Forename,Surname,E-mail,Workplace,Employer,Region,Category,Address 1,Address 2,Town/City,Post Code,Email Type
        L1,Ann,Ash,ann.ash@leeds.gov.uk,Hill Primary,Leeds LA,Yorkshire,teacher,1 Elm Road,,Leeds,ls1 1aa,
        L2,Bob,Birch,bob@example.org,Hill Primary,Leeds LA,Yorkshire,support-staff,2 Elm Road,Headingley,Leeds,LS6  2BB,personal
        L3,Cy,Cedar,cy@park.leeds.sch.uk,Park School,Leeds LA,Yorkshire,teacher,3 Oak Lane,,Leeds,LS7 3CC,Home
        L4,Di,Dale,di@park.leeds.sch.uk,Park School,Leeds LA,Yorkshire,teacher,4 Oak Lane,,Leeds,LS7 4DD,
        Y1,Ed,Elm,ed@york-trust.org,Minster Academy,York Trust,Yorkshire,teacher,5 Stonegate,,York,YO1 5EE,Work
        Y2,Flo,Fir,flo@example.org,Minster Academy,York Trust,Yorkshire,teacher,6 Stonegate,,York,YO1 6FF,
        Y3,Gus,Gorse,gus@example.org,Ouse School,York Trust,Yorkshire,leader,7 Ouse Walk,,York,YO2 7GG,

        """;

    [OneTimeSetUp]
    public async Task Start()
    {
        _smtp = await SmtpTestServer.StartAsync();
        _api = await ApiHost.StartAsync(c =>
        {
            _smtp.AddTo(c);
            c["Mail:UnionName"] = "National Education Union";
        });
        _kit = new BallotKit(_api);
        await _kit.ImportMembers(Register);
        _exec = await _api.ClientFor(Roles.Executive);
    }

    [OneTimeTearDown]
    public async Task Stop()
    {
        _exec.Dispose();
        await _api.DisposeAsync();
        await _smtp.DisposeAsync();
    }

    private async Task<JsonNode> Member(string number) =>
        await (await (await _exec.GetAsync($"/api/members/{number}")).AssertStatus(HttpStatusCode.OK)).ReadJson();

    [Test]
    public async Task The_register_holds_home_addresses_and_tells_work_emails_by_their_kind_or_the_employers_domains()
    {
        await using (var conn = await _api.OpenAsync())
        {
            var l2 = await conn.QuerySingleAsync<(string, string, string, string, string)>(
                "SELECT address_line1, address_line2, town, postcode, email_kind FROM member WHERE membership_number = 'L2'");
            Assert.That(l2, Is.EqualTo(("2 Elm Road", "Headingley", "Leeds", "LS6 2BB", "personal")));
            Assert.That(await conn.ExecuteScalarAsync<string>("SELECT postcode FROM member WHERE membership_number = 'L1'"), Is.EqualTo("LS1 1AA"));
            Assert.That((await conn.QueryAsync<string?>("SELECT email_kind FROM member ORDER BY membership_number")).ToList(),
                Is.EqualTo(new string?[] { null, "personal", "personal", null, "work", null, null }));
        }

        // Domains: leeds.gov.uk itself, and every school domain under .sch.uk. A malformed one is refused and nothing changes.
        var refused = await _exec.PutAsync("/api/employers", Http.JsonBody("""{"name":"Leeds LA","contactEmail":"hr@leeds.gov.uk","domains":["leeds.gov.uk","not a domain"]}"""));
        Assert.That((string)(await refused.AssertProblem(HttpStatusCode.BadRequest))["errors"]!["domains"]![0]!, Does.Contain("'not a domain'"));
        var set = await (await _exec.PutAsync("/api/employers", Http.JsonBody("""{"name":"Leeds LA","contactEmail":"hr@leeds.gov.uk","domains":["Leeds.gov.uk","*.sch.uk"]}""")))
            .AssertStatus(HttpStatusCode.OK);
        Assert.That((await set.ReadJson())["domains"]!.AsArray().Select(d => (string)d!), Is.EqualTo(new[] { "*.sch.uk", "leeds.gov.uk" }));
        await (await _exec.PutAsync("/api/employers", Http.JsonBody("""{"name":"Nobody Council","domains":[]}"""))).AssertProblem(HttpStatusCode.NotFound);

        // At the employer's domain counts as work unless marked personal; marked work is work wherever it is.
        var expected = new Dictionary<string, bool> { ["L1"] = true, ["L2"] = false, ["L3"] = false, ["L4"] = true, ["Y1"] = true, ["Y2"] = false };
        foreach (var (number, work) in expected)
            Assert.That((bool)(await Member(number))["emailIsWork"]!, Is.EqualTo(work), number);
        await using (var conn = await _api.OpenAsync())
        {
            var rules = await WorkEmail.LoadAsync(conn);
            Assert.That(rules.IsWork("x@leeds.gov.uk.evil.example", null, "Leeds LA"), Is.False, "a domain is matched whole, not as a prefix");
            Assert.That(rules.IsWork("x@sch.uk", null, "Leeds LA"), Is.False, "*.sch.uk is the domains under sch.uk");
            Assert.That(rules.IsWork("x@leeds.gov.uk", null, "York Trust"), Is.False, "only the member's own employer's domains count");
        }

        // A file without address columns keeps the addresses; the console's form replaces them.
        await _kit.ImportMembers(MemberCsv.Header + "\nL2,Bob,Birch,bob@example.org,Hill Primary,Leeds LA,Yorkshire,support-staff\n");
        Assert.That((string)(await Member("L2"))["home"]!["postcode"]!, Is.EqualTo("LS6 2BB"));
        var home = await (await _exec.PutAsync("/api/members/L4/home-address", Http.JsonBody("""{"line1":"9 New Street","town":"Leeds","postcode":"ls9 9zz","emailKind":"personal"}""")))
            .AssertStatus(HttpStatusCode.OK);
        var l4 = await home.ReadJson();
        Assert.That(((string)l4["home"]!["postcode"]!, (string)l4["emailKind"]!, (bool)l4["emailIsWork"]!), Is.EqualTo(("LS9 9ZZ", "personal", false)));
        await (await _exec.PutAsync("/api/members/L4/home-address", Http.JsonBody("""{"postcode":"LS9 <9ZZ>","emailKind":"pigeon"}"""))).AssertProblem(HttpStatusCode.BadRequest);
    }

    [Test]
    public async Task Voting_methods_are_those_the_rule_sets_allow_on_the_opening_day()
    {
        // Before the Permissible Means of Voting Order commences an industrial-action ballot is postal (s.230).
        var opens = _kit.Now.AddDays(10);
        var postal = await _kit.Create(BallotKit.IndustrialAction(opens, opens.AddDays(14)));
        Assert.That(await _kit.Scalar<string>("SELECT voting_method FROM ballot WHERE id = @postal", new { postal }), Is.EqualTo("postal"));
        var refused = await _exec.PostAsync("/api/ballots", Http.JsonBody(BallotKit.IndustrialAction(opens, opens.AddDays(14)).Replace("\"kind\":", "\"votingMethod\":\"electronic\",\"kind\":")));
        var problem = await refused.AssertProblem(HttpStatusCode.BadRequest);
        Assert.That((string)problem["errors"]!["votingMethod"]![0]!, Does.Contain("may not be voted by 'electronic'").And.Contain("TULRCA 1992 s.230(2)"));
        var consultative = await _kit.Create(BallotKit.Consultative(opens, opens.AddDays(14)).Replace("\"kind\":", "\"votingMethod\":\"hybrid\",\"kind\":"));
        Assert.That(await _kit.Scalar<string>("SELECT voting_method FROM ballot WHERE id = @consultative", new { consultative }), Is.EqualTo("hybrid"));

        // The Order's commencement is a row (docs/operations.md): from that day hybrid is the default, electronic allowed.
        var commences = DateOnly.FromDateTime(_kit.Now.AddDays(20).UtcDateTime);
        await _kit.CommenceVotingOrder(commences.ToString("yyyy-MM-dd"));
        try
        {
            var after = _kit.Now.AddDays(25);
            var hybrid = await _kit.Create(BallotKit.IndustrialAction(after, after.AddDays(14)));
            var view = await (await _exec.GetAsync($"/api/ballots/{hybrid}")).ReadJson();
            Assert.That((string)view["votingMethod"]!, Is.EqualTo("hybrid"));
            await _kit.Create(BallotKit.IndustrialAction(after, after.AddDays(14)).Replace("\"kind\":", "\"votingMethod\":\"electronic\",\"kind\":"));
            // Moved to open before the commencement, a hybrid draft is refused with the rule that applies then.
            var moved = BallotKit.IndustrialAction(opens, opens.AddDays(14)).Replace("\"kind\":", "\"votingMethod\":\"hybrid\",\"kind\":");
            problem = await (await _exec.PutAsync($"/api/ballots/{hybrid}", Http.JsonBody(moved))).AssertProblem(HttpStatusCode.BadRequest);
            Assert.That((string)problem["errors"]!["votingMethod"]![0]!, Does.Contain($"opening on {opens:yyyy-MM-dd}").And.Contain("only postal"));
            var created = await _kit.Scalar<string>("SELECT data FROM ballot_audit WHERE ballot_id = @hybrid AND event = 'created'", new { hybrid });
            Assert.That(created, Does.Contain("\"votingMethod\":\"hybrid\""));
        }
        finally
        {
            await using var conn = await _api.OpenAsync();
            await conn.ExecuteAsync("DELETE FROM lawful_voting_method WHERE ballot_kind = 'industrial-action' AND voting_method <> 'postal'");
        }
    }

    [Test]
    public async Task Opening_waits_until_every_employer_has_had_its_notice_and_sample_paper_in_time_whoever_opens_it()
    {
        var t0 = _kit.Now;
        var opens = new DateTimeOffset(t0.UtcDateTime.Date.AddDays(10).AddHours(9), TimeSpan.Zero);
        var id = await _kit.Create(BallotKit.IndustrialAction(opens, opens.AddDays(14), """{"employers":["Leeds LA","York Trust"]}"""));
        await TestTrustees.For(_api).CeremonyAsync(id);
        await (await _exec.PutAsync("/api/employers", Http.JsonBody("""{"name":"York Trust","contactEmail":"hr@york-trust.org","domains":[]}"""))).AssertStatus(HttpStatusCode.OK);

        // Each employer's notice lists exactly its own workplaces, categories and total (ERA 2025: no numbers per workplace).
        using (var pdf = PdfDocument.Open(await (await (await _exec.GetAsync($"/api/ballots/{id}/notices/ballot-notice.pdf?employer=Leeds%20LA"))
                   .AssertStatus(HttpStatusCode.OK)).Content.ReadAsByteArrayAsync()))
        {
            var text = string.Join(" ", pdf.GetPages().SelectMany(p => p.GetWords()).Select(w => w.Text));
            Assert.That(text, Does.Contain("To: Leeds LA").And.Contain("Hill Primary").And.Contain("Park School").And.Contain("Teacher").And.Contain("Support staff")
                .And.Contain("Total: 4").And.Contain($"{opens:d MMMM yyyy}").And.Not.Contain("Minster").And.Not.Contain("Ouse"));
        }
        using (var sample = PdfDocument.Open(await (await _exec.GetAsync($"/api/ballots/{id}/notices/sample-paper.pdf?employer=York%20Trust")).Content.ReadAsByteArrayAsync()))
            Assert.That(string.Join(" ", sample.GetPage(1).GetWords().Select(w => w.Text)),
                Does.Contain("Sample voting paper").And.Contain("Electoral Reform Services").And.Contain("Are you prepared to take part in a strike?"));

        // Nothing given: the executive's opening is refused with every employer's dates.
        var refused = await (await _exec.PostAsync($"/api/ballots/{id}/open", null)).AssertProblem(HttpStatusCode.Conflict);
        var noticeBy = opens.AddDays(-7).ToString("yyyy-MM-dd");
        Assert.That((string)refused["detail"]!, Does.Contain("Leeds LA: the notice of the ballot (s.226A) has not been given; it must be given by " + noticeBy)
            .And.Contain("York Trust: the sample voting paper (s.226A) has not been given"));

        // Leeds: marked as given today. York: its notice emailed with the PDF attached, through real SMTP.
        foreach (var kind in new[] { "ballot-notice", "sample-paper" })
            await (await _exec.PostAsync($"/api/ballots/{id}/notices", Http.JsonBody($$"""{"employer":"Leeds LA","kind":"{{kind}}"}"""))).AssertStatus(HttpStatusCode.OK);
        await (await _exec.PostAsync($"/api/ballots/{id}/notices", Http.JsonBody("""{"employer":"York Trust","kind":"ballot-notice","email":true}"""))).AssertStatus(HttpStatusCode.OK);
        await (await _exec.PostAsync($"/api/ballots/{id}/notices", Http.JsonBody("""{"employer":"Leeds LA","kind":"ballot-notice","givenAt":"2099-01-01T00:00:00Z"}""")))
            .AssertProblem(HttpStatusCode.BadRequest);
        Assert.That(await _api.App.Services.GetRequiredService<EmployerLetters>().SendDueAsync(CancellationToken.None), Is.EqualTo(1));
        var letter = (await _smtp.WaitForMessages(1)).Single(m => m.To.Mailboxes.Any(a => a.Address == "hr@york-trust.org"));
        var attachment = (MimePart)letter.Attachments.Single();
        using (var stream = new MemoryStream())
        {
            await attachment.Content!.DecodeToAsync(stream);
            using var pdf = PdfDocument.Open(stream.ToArray());
            var text = string.Join(" ", pdf.GetPages().SelectMany(p => p.GetWords()).Select(w => w.Text));
            Assert.That(text, Does.Contain("To: York Trust").And.Contain("Minster Academy").And.Contain("Ouse School").And.Contain("School leader")
                .And.Contain("Total: 3").And.Not.Contain("Hill Primary").And.Not.Contain("Park School"));
        }
        var notices = await (await _exec.GetAsync($"/api/ballots/{id}/notices")).ReadJson();
        var york = notices["employers"]!.AsArray().Single(e => (string)e!["figures"]!["employer"]! == "York Trust")!;
        Assert.That(((string)york["ballotNotice"]!["how"]!, (string)york["ballotNotice"]!["email"]!), Is.EqualTo(("emailed", "hr@york-trust.org")));
        Assert.That(notices["unmet"]!.AsArray().Select(u => (string)u!).Single(), Does.StartWith("York Trust: the sample voting paper"));

        // York's sample paper two days before the opening day: too late. The worker, at the opening time, leaves it a draft.
        _api.Clock.SetUtcNow(opens.AddDays(-2));
        await (await _exec.PostAsync($"/api/ballots/{id}/notices", Http.JsonBody("""{"employer":"York Trust","kind":"sample-paper"}"""))).AssertStatus(HttpStatusCode.OK);
        _api.Clock.SetUtcNow(opens.AddMinutes(1));
        await _kit.RunWorker();
        Assert.That(await _kit.Scalar<string>("SELECT status FROM ballot WHERE id = @id", new { id }), Is.EqualTo("draft"));
        Assert.That(_api.Logs.All, Does.Contain("York Trust: the sample voting paper (s.226A) was given on " + opens.AddDays(-2).ToString("yyyy-MM-dd")));

        // A day later the sample paper is three days before the day voting actually opens: the worker opens it.
        _api.Clock.SetUtcNow(opens.AddDays(1));
        await _kit.RunWorker();
        Assert.That(await _kit.Scalar<string>("SELECT status FROM ballot WHERE id = @id", new { id }), Is.EqualTo("open"));
        await using var conn = await _api.OpenAsync();
        var audit = (await conn.QueryAsync<(string Event, string Data)>("SELECT event, data FROM ballot_audit WHERE ballot_id = @id ORDER BY seq", new { id })).ToList();
        Assert.That(audit.Count(a => a.Event == "notice-given"), Is.EqualTo(4));
        Assert.That(audit.Single(a => a.Event == "notice-given" && a.Data.Contains("emailed")).Data, Does.Contain("hr@york-trust.org"));
        Assert.That(audit.Single(a => a.Event == "opened").Data, Does.Contain("\"votingMethod\":\"postal\""));
        await (await _exec.PostAsync($"/api/ballots/{id}/notices", Http.JsonBody("""{"employer":"York Trust","kind":"action-notice"}"""))).AssertProblem(HttpStatusCode.Conflict);
    }
}
