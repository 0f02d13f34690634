using System.Globalization;
using System.Net;
using System.Text;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using Ballot.Core.Staff;
using Ballot.Tests.Ballots;
using Ballot.Tests.Infrastructure;
using Ballot.Tests.Mail;
using Dapper;
using Microsoft.Playwright;
using MimeKit;

namespace Ballot.Tests.Console;

/// <summary>
/// The boycott ballot from the seed motion, in the browser: the executive drafts it, sees the warnings and opens it;
/// members vote from their letters and turnout moves; it closes; the scrutineer verifies the chain and certifies; the
/// public result page shows what the API reports; a member checks a receipt.
/// </summary>
public sealed class BallotConsoleTests
{
    private ConsoleFixture _console = null!;
    private BallotKit _kit = null!;
    private string _keyFile = null!;

    // The seed motion (Motions/Seeds/000_41d4247a61a3e1bd.txt), instruction 2: a national ballot to boycott the arrangements.
    private const string Title = "National ballot to boycott the performance management arrangements";
    private const string Boycott = "Refusing to take part in the performance management arrangements set down by the Education (School Teacher Appraisal) Regulations 2000.";

    [OneTimeSetUp]
    public async Task Start()
    {
        _keyFile = Path.Combine(Path.GetTempPath(), "ballot-tests", $"key-{Guid.NewGuid():N}");
        _console = await ConsoleFixture.StartAsync(s => s["Ballots:CredentialKeyFile"] = _keyFile);
        _kit = new BallotKit(_console.Api);
        await _kit.CommenceVotingOrder();
        // 60 members in three schools of 20, a school of 2 (too small to count on its own), one member with no email.
        var csv = new StringBuilder(MemberCsv.Generate(60, schools: 3));
        csv.Append("S000001,Small1,Staff1,small1@example.org,Tiny School,Employer 0,Region 0,teacher\n");
        csv.Append("S000002,Small2,Staff2,small2@example.org,Tiny School,Employer 0,Region 0,teacher\n");
        await _kit.ImportMembers(csv.ToString());
        // The import insists on an address; registers carried over from before it hold members without one.
        await using var conn = await _console.Api.OpenAsync();
        await conn.ExecuteAsync("UPDATE member SET email = NULL WHERE membership_number = 'S000002'");
    }

    [OneTimeTearDown]
    public async Task Stop()
    {
        await _console.DisposeAsync();
        File.Delete(_keyFile);
    }

    [Test]
    public async Task The_boycott_ballot_from_draft_to_certified_result_in_the_browser()
    {
        // The worker and the browser run on the real clock, so voting closes 30 days from now.
        var closes = DateTimeOffset.UtcNow.AddDays(30);
        var london = TimeZoneInfo.FindSystemTimeZoneById("Europe/London");
        string Local(DateTimeOffset t) => TimeZoneInfo.ConvertTime(t, london).ToString("yyyy-MM-ddTHH:mm", CultureInfo.InvariantCulture);

        // 1. The executive drafts the ballot.
        var exec = await _console.SignedInPage(Roles.Executive);
        await exec.GetByRole(AriaRole.Link, new() { Name = "Ballots", Exact = true }).ClickAsync();
        await Assertions.Expect(exec.Locator("h1")).ToHaveTextAsync("Ballots");
        await ConsoleFixture.AssertAccessible(exec);
        await exec.GetByRole(AriaRole.Link, new() { Name = "Draft an industrial-action ballot" }).ClickAsync();
        await Assertions.Expect(exec.Locator("h1")).ToHaveTextAsync("Draft an industrial-action ballot");
        await exec.GetByLabel("Title").FillAsync(Title);
        await exec.GetByLabel("Separately for each workplace").CheckAsync();
        await exec.GetByLabel("Voting opens").FillAsync(Local(_kit.Now));
        await exec.GetByLabel("Voting closes").FillAsync(Local(closes));
        Assert.That(await exec.GetByLabel("Are you prepared to take part in a strike?").IsCheckedAsync(), Is.False);
        Assert.That(await exec.GetByLabel("Are you prepared to take part in industrial action short of a strike?").IsCheckedAsync(), Is.True);
        await exec.GetByLabel("Who may call the action").FillAsync("The Executive");
        await exec.GetByLabel("Address to return votes to").FillAsync("The Election Centre, 33 Clarendon Road, London N8 0NW");
        await exec.GetByLabel("Types of action short of a strike").FillAsync(Boycott);
        var notes = await exec.Locator("main").InnerTextAsync();
        Assert.That(notes, Does.Contain("s.229(1A)(a)").And.Contain("s.229(3)"));
        // The law in force on 7 September 2026: the ERA 2025 rules (no 40% support threshold), with the mandate's length.
        var rules = await exec.Locator("#rule-set").InnerTextAsync();
        Assert.That(rules, Does.Contain("at least 50% of those entitled").And.Contain("no support threshold").And.Contain("months from the close"));

        // Without a scrutineer, the count and the warnings, before anything is saved.
        await exec.GetByRole(AriaRole.Button, new() { Name = "Update the count" }).ClickAsync();
        await Assertions.Expect(exec.Locator("#electorate-count")).ToContainTextAsync("62 members are entitled to vote");
        Assert.That(await exec.Locator("#warnings li").CountAsync(), Is.EqualTo(3));
        Assert.That(await exec.Locator("#warnings").InnerTextAsync(), Does.Contain("1 workplace has fewer than 5 electors")
            .And.Contain("1 elector has no email address").And.Contain("independent scrutineer is required (s.226B), but none is named"));
        Assert.That(await exec.GetByRole(AriaRole.Table, new() { Name = "By employer" }).InnerTextAsync(), Does.Contain("Employer 0"));
        Assert.That(await exec.GetByRole(AriaRole.Row, new() { Name = "Tiny School" }).First.InnerTextAsync(), Does.Contain("2"));
        await ConsoleFixture.AssertAccessible(exec);
        await ConsoleFixture.Screenshot(exec, "ballot-draft");
        Assert.That(await _kit.Scalar<long>("SELECT COUNT(*) FROM ballot WHERE title = @Title", new { Title }), Is.Zero, "updating the count saves nothing");

        // Saving without a scrutineer is refused with the message beside the field; named, it saves.
        await exec.GetByRole(AriaRole.Button, new() { Name = "Save the draft" }).ClickAsync();
        await Assertions.Expect(exec.Locator(".error-summary")).ToContainTextAsync("industrialAction.scrutineerName");
        await exec.GetByLabel("Independent scrutineer's name").FillAsync("Electoral Reform Services");
        await exec.GetByRole(AriaRole.Button, new() { Name = "Save the draft" }).ClickAsync();
        await Assertions.Expect(exec.Locator(".notice")).ToHaveTextAsync("Draft saved.");
        await Assertions.Expect(exec.Locator("h1")).ToHaveTextAsync(Title);
        var id = long.Parse(Regex.Match(exec.Url, @"/ballots/(\d+)$").Groups[1].Value);
        await ConsoleFixture.AssertAccessible(exec);
        await Assertions.Expect(exec.Locator("#voting-method")).ToContainTextAsync("Hybrid");

        // 1b. Notices to employers (s.226A): opening waits until each employer has had them in time.
        await exec.GetByRole(AriaRole.Link, new() { Name = "Notices to employers" }).ClickAsync();
        await Assertions.Expect(exec.Locator("h1")).ToHaveTextAsync("Notices to employers");
        await Assertions.Expect(exec.Locator("#unmet")).ToContainTextAsync("Employer 0: the notice of the ballot (s.226A) has not been given");
        await exec.GetByLabel("Employer", new() { Exact = true }).SelectOptionAsync("Employer 0");
        await exec.GetByLabel("Notice", new() { Exact = true }).SelectOptionAsync("ballot-notice");
        await exec.GetByLabel("Given on (when marking)").FillAsync(_kit.Now.AddDays(-8).ToString("yyyy-MM-dd", CultureInfo.InvariantCulture));
        await exec.GetByRole(AriaRole.Button, new() { Name = "Mark as given" }).ClickAsync();
        await Assertions.Expect(exec.Locator(".notice")).ToHaveTextAsync("The notice of the ballot (s.226A) for Employer 0 is recorded as given.");
        await Assertions.Expect(exec.Locator("#unmet")).Not.ToContainTextAsync("Employer 0: the notice of the ballot");
        await ConsoleFixture.AssertAccessible(exec);
        await ConsoleFixture.Screenshot(exec, "ballot-notices");
        await _kit.GiveNotices(id);   // the other employers and the sample papers, as the API does
        await exec.ReloadAsync();
        await Assertions.Expect(exec.Locator("#unmet")).ToContainTextAsync("Every employer has had its notice and sample paper in time");
        await exec.GotoAsync(_console.Url($"/ballots/{id}"));
        await TestTrustees.For(_console.Api).CeremonyAsync(id);   // the trustees make the ballot's key (KeyCeremonyTests shows it in the console)

        // 2. Opening asks first, saying what will happen and what is still worth knowing.
        await exec.GetByRole(AriaRole.Link, new() { Name = "Open the ballot…" }).ClickAsync();
        var confirm = await exec.Locator("main").InnerTextAsync();
        Assert.That(confirm, Does.Contain("The electorate is frozen").And.Contain("A voting letter with a personal link is queued for each of the 61 electors")
            .And.Contain("1 workplace has fewer than 5 electors").And.Contain("1 elector has no email address").And.Not.Contain("none is named"));
        await ConsoleFixture.AssertAccessible(exec);
        await ConsoleFixture.Screenshot(exec, "ballot-open");
        Assert.That(await _kit.Scalar<string>("SELECT status FROM ballot WHERE id = @id", new { id }), Is.EqualTo("draft"), "the confirmation page opens nothing");
        await exec.GetByRole(AriaRole.Button, new() { Name = "Open the ballot and queue 61 letters" }).ClickAsync();
        await Assertions.Expect(exec.Locator(".notice")).ToHaveTextAsync("The ballot is open: 62 electors, 61 voting letters queued.");
        Assert.That(await _kit.Scalar<long>("SELECT electorate_size FROM ballot WHERE id = @id AND status = 'open'", new { id }), Is.EqualTo(62));
        await Assertions.Expect(exec.Locator("#turnout-voted")).ToHaveTextAsync("0");

        // 3. Members vote from the links in their letters, sent by the real worker.
        var letters = await SendLetters(id);
        var voters = new[] { ("member1@example.org", "Yes"), ("member2@example.org", "Yes"), ("member3@example.org", "No"), ("small1@example.org", "Yes") };
        var receipts = new List<string>();
        var member = await (await _console.NewContext()).NewPageAsync();
        foreach (var (email, choice) in voters)
        {
            await member.GotoAsync(LinkIn(letters[email]));
            await member.GetByLabel(choice).CheckAsync();
            await member.GetByRole(AriaRole.Button, new() { Name = "Cast my vote" }).ClickAsync();
            await Assertions.Expect(member.Locator("h1")).ToHaveTextAsync("Your vote is recorded");
            receipts.Add(await member.Locator("#receipt").InnerTextAsync());
        }
        await Assertions.Expect(member.GetByRole(AriaRole.Link, new() { Name = "Check your receipt" })).ToHaveAttributeAsync("href", $"/results/{id}/check");

        await exec.ReloadAsync();
        await Assertions.Expect(exec.Locator("#turnout-voted")).ToHaveTextAsync("4");
        Assert.That(await exec.Locator("#turnout-percent").InnerTextAsync(), Is.EqualTo("6.45%"));
        var turnoutPage = await exec.Locator("main").InnerTextAsync();
        Assert.That(turnoutPage, Does.Not.Contain("Yes").And.Not.Contain("No mandate"), "no choice is shown before close");
        Assert.That(await exec.Locator("figure.chart svg polyline").CountAsync(), Is.EqualTo(1));
        Assert.That(await exec.GetByRole(AriaRole.Table, new() { Name = "Votes cast so far, by hour" }).InnerTextAsync(), Does.Contain("4"));
        // Sorted by turnout, highest first: Tiny School (1 of 2) heads the table.
        var byTurnout = exec.Locator("#constituencies thead th", new() { HasText = "Turnout" }).Locator("a");
        await byTurnout.ClickAsync();
        Assert.That(exec.Url, Does.EndWith("?sort=percent&dir=asc"));
        await byTurnout.ClickAsync();
        Assert.That(exec.Url, Does.EndWith("?sort=percent&dir=desc"));
        Assert.That(await exec.Locator("#constituencies tbody tr").First.InnerTextAsync(), Does.StartWith("Tiny School").And.Contain("50.00%"));
        await ConsoleFixture.AssertAccessible(exec);
        await ConsoleFixture.Screenshot(exec, "ballot-turnout");
        using (var api = await _console.Api.ClientFor(Roles.Executive))
        {
            var turnout = await (await api.GetAsync($"/api/ballots/{id}/turnout")).ReadJson();
            Assert.That((long)turnout["voted"]!, Is.EqualTo(4));
        }

        // An industrial-action ballot cannot close early: no such button.
        await exec.GotoAsync(_console.Url($"/ballots/{id}"));
        Assert.That(await exec.GetByRole(AriaRole.Button, new() { Name = "Close the ballot now" }).CountAsync(), Is.Zero);
        await ConsoleFixture.AssertAccessible(exec);

        // 4. The closing time passes; the worker's due work closes and counts it.
        _console.Api.Clock.SetUtcNow(closes.AddMinutes(1));
        Assert.That((await _kit.RunWorker()).Closed, Is.EqualTo(1));

        // 5. The scrutineer verifies the chain and certifies.
        var scrutineer = await _console.SignedInPage(Roles.Scrutineer);
        await scrutineer.GotoAsync(_console.Url($"/ballots/{id}/audit"));
        Assert.That(await scrutineer.Locator("#timeline").InnerTextAsync(), Does.Contain("Opened: electorate frozen").And.Contain("Voting closed").And.Contain("Counted"));
        await scrutineer.GetByRole(AriaRole.Button, new() { Name = "Verify the chain" }).ClickAsync();
        var verified = await scrutineer.Locator("#verification").InnerTextAsync();
        Assert.That(verified, Does.Contain("The chain is intact.").And.Contain("Compared with the anchor the count recorded"));
        Assert.That(await scrutineer.Locator("#certification-checks").InnerTextAsync(), Does.Contain("electorate hash").And.Contain("counted again from the papers"));
        await ConsoleFixture.AssertAccessible(scrutineer);
        await ConsoleFixture.Screenshot(scrutineer, "ballot-audit");

        // A refusal says exactly what failed: an elector row removed behind the platform's back, then restored.
        var removed = await _kit.Scalar<long>("SELECT member_id FROM ballot_elector WHERE ballot_id = @id AND voted = 0 ORDER BY member_id LIMIT 1", new { id });
        await using (var conn = await _console.Api.OpenAsync())
        {
            var row = await conn.QuerySingleAsync("SELECT * FROM ballot_elector WHERE ballot_id = @id AND member_id = @removed", new { id, removed });
            await conn.ExecuteAsync("DELETE FROM ballot_elector WHERE ballot_id = @id AND member_id = @removed", new { id, removed });
            await scrutineer.GetByRole(AriaRole.Button, new() { Name = "Certify the result" }).ClickAsync();
            await Assertions.Expect(scrutineer.Locator(".error-summary")).ToContainTextAsync("were entitled to vote when the ballot opened but");
            Assert.That(await _kit.Scalar<string>("SELECT status FROM ballot WHERE id = @id", new { id }), Is.EqualTo("closed"));
            await ConsoleFixture.AssertAccessible(scrutineer);
            var values = (IDictionary<string, object?>)row;
            await conn.ExecuteAsync($"INSERT INTO ballot_elector ({string.Join(", ", values.Keys)}) VALUES ({string.Join(", ", values.Keys.Select(k => "@" + k))})",
                new DynamicParameters(values));
        }
        await scrutineer.GetByRole(AriaRole.Button, new() { Name = "Certify the result" }).ClickAsync();
        await Assertions.Expect(scrutineer.Locator(".notice")).ToHaveTextAsync("Certified: the result is published and signed.");
        Assert.That(await _kit.Scalar<string>("SELECT status FROM ballot WHERE id = @id", new { id }), Is.EqualTo("certified"));
        await ConsoleFixture.AssertAccessible(scrutineer);
        await ConsoleFixture.Screenshot(scrutineer, "ballot-result");
        var noticeDownload = await scrutineer.APIRequest.GetAsync(_console.Url($"/ballots/{id}/result?handler=Notice"));
        Assert.That(await noticeDownload.TextAsync(), Does.Contain("Notice to employers").And.Contain("Tiny School"));

        // 6. The public result page, signed out, shows the figures the API reports.
        using var anonymous = new HttpClient { BaseAddress = _console.Api.BaseAddress };
        var result = (await (await (await anonymous.GetAsync($"/api/ballots/{id}/result")).AssertStatus(HttpStatusCode.OK)).ReadJson())["result"]!;
        var visitor = await (await _console.NewContext()).NewPageAsync();
        await visitor.GotoAsync(_console.Url($"/results/{id}"));
        await Assertions.Expect(visitor.Locator("h1")).ToHaveTextAsync($"Result: {Title}");
        Assert.That(await visitor.Locator("#result-entitled").InnerTextAsync(), Is.EqualTo(((long)result["entitled"]!).ToString("N0")));
        Assert.That(await visitor.Locator("#result-cast").InnerTextAsync(), Is.EqualTo(((long)result["votesCast"]!).ToString("N0")));
        Assert.That(await visitor.Locator("#result-mandate").InnerTextAsync(), Is.EqualTo((bool)result["mandate"]! ? "yes" : "no"));
        var table = await visitor.Locator("#table-action-short-of-strike").InnerTextAsync();
        foreach (var c in result["constituencies"]!.AsArray())
        {
            var q = c!["questions"]![0]!;
            var cells = string.Join("\t", new[] { (string)c["name"]!, $"{(long)q["entitled"]!}", $"{(long)q["votesCast"]!}" }
                .Concat(q["options"]!.AsArray().Select(o => $"{(long)o!["votes"]!}")).Append($"{(long)q["spoiled"]!}")
                .Append(((decimal)q["turnoutPercent"]!).ToString("0.00", CultureInfo.InvariantCulture) + "%"));
            Assert.That(table, Does.Contain(cells), $"the row for {c["name"]}");
        }
        var bars = await visitor.GetByRole(AriaRole.Table, new() { Name = "Votes for each answer: Are you prepared to take part in industrial action short of a strike?" }).InnerTextAsync();
        Assert.That(bars, Does.Contain("Yes\t3").And.Contain("No\t1"));
        Assert.That(await visitor.Locator("#receipts-count").InnerTextAsync(), Is.EqualTo("4"));
        await ConsoleFixture.AssertAccessible(visitor);
        await ConsoleFixture.Screenshot(visitor, "result-public");

        // The voting page, after certification, links to it.
        await visitor.GotoAsync(LinkIn(letters["member4@example.org"]));
        await Assertions.Expect(visitor.GetByRole(AriaRole.Link, new() { Name = "see the result" })).ToHaveAttributeAsync("href", $"/results/{id}");

        // 7. A member checks a receipt: counted; a receipt never issued: not counted.
        await visitor.GetByRole(AriaRole.Link, new() { Name = "check your receipt" }).ClickAsync();
        await Assertions.Expect(visitor.Locator("h1")).ToHaveTextAsync("Check your vote was counted");
        await visitor.GetByLabel("Receipt code").FillAsync(receipts[2].ToLowerInvariant());
        await visitor.GetByRole(AriaRole.Button, new() { Name = "Check" }).ClickAsync();
        await Assertions.Expect(visitor.Locator("#receipt-answer")).ToHaveTextAsync($"{receipts[2]}: Your vote was counted.");
        await ConsoleFixture.AssertAccessible(visitor);
        await ConsoleFixture.Screenshot(visitor, "receipt-check");
        await visitor.GetByLabel("Receipt code").FillAsync("AAAA-BBBB-CCCC-DDDD");
        await visitor.GetByRole(AriaRole.Button, new() { Name = "Check" }).ClickAsync();
        await Assertions.Expect(visitor.Locator("#receipt-answer")).ToContainTextAsync("No vote with this receipt was counted in this ballot.");
        await visitor.GetByLabel("Receipt code").FillAsync("not a receipt");
        await visitor.GetByRole(AriaRole.Button, new() { Name = "Check" }).ClickAsync();
        await Assertions.Expect(visitor.Locator(".error-summary")).ToContainTextAsync("A receipt is the tracker shown when you voted");

        // The staff result page finds a receipt among those counted (the executive's session ended as the month passed).
        await scrutineer.GotoAsync(_console.Url($"/ballots/{id}/result?receipt={Uri.EscapeDataString(receipts[0][..9])}"));
        await Assertions.Expect(scrutineer.Locator("#receipt-found")).ToContainTextAsync("counted receipt");
        Assert.That(await scrutineer.Locator("ul.receipts").InnerTextAsync(), Does.Contain(receipts[0]));
        foreach (var p in new[] { exec, scrutineer, member, visitor }) await p.Context.CloseAsync();
    }

    [Test]
    public async Task A_consultative_ballot_is_drafted_with_its_questions_and_closed_early()
    {
        var exec = await _console.SignedInPage(Roles.Executive);
        await exec.GotoAsync(_console.Url("/ballots/draft?kind=consultative"));
        await exec.GetByLabel("Title").FillAsync("Indicative ballot on the pay arrangements");
        await exec.GetByLabel("Voting opens").FillAsync(_kit.Now.ToString("yyyy-MM-ddTHH:mm", CultureInfo.InvariantCulture));
        await exec.GetByLabel("Voting closes").FillAsync(_kit.Now.AddDays(10).ToString("yyyy-MM-ddTHH:mm", CultureInfo.InvariantCulture));
        await exec.GetByLabel("Question 1: text").FillAsync("Do you support a boycott?");
        await exec.GetByLabel("Question 1: options, one a line").FillAsync("Yes\nNo");
        await exec.GetByRole(AriaRole.Button, new() { Name = "Add a question" }).ClickAsync();
        await exec.GetByLabel("Question 2: text").FillAsync("When should action start?");
        await exec.GetByLabel("Question 2: options, one a line").FillAsync("Autumn term\nSpring term");
        await exec.GetByLabel("Employers").FillAsync("Employer 1");
        await exec.GetByRole(AriaRole.Button, new() { Name = "Update the count" }).ClickAsync();
        await Assertions.Expect(exec.Locator("#electorate-count")).ToContainTextAsync("20 members are entitled to vote");
        await ConsoleFixture.AssertAccessible(exec);
        await exec.GetByRole(AriaRole.Button, new() { Name = "Save the draft" }).ClickAsync();
        await Assertions.Expect(exec.Locator(".notice")).ToHaveTextAsync("Draft saved.");
        var id = long.Parse(Regex.Match(exec.Url, @"/ballots/(\d+)$").Groups[1].Value);
        Assert.That(await exec.Locator("main ol").InnerTextAsync(), Does.Contain("When should action start? (Autumn term / Spring term)"));

        // No key yet: the page says so, and opening is refused in words.
        await Assertions.Expect(exec.Locator("#ceremony-stage")).ToContainTextAsync("No trustees are named yet");
        await exec.GetByRole(AriaRole.Link, new() { Name = "Open the ballot…" }).ClickAsync();
        await exec.GetByRole(AriaRole.Button, new() { Name = "Open the ballot and queue 20 letters" }).ClickAsync();
        await Assertions.Expect(exec.Locator(".error-summary")).ToContainTextAsync("cannot open before its key ceremony is complete");
        Assert.That(await _kit.Scalar<string>("SELECT status FROM ballot WHERE id = @id", new { id }), Is.EqualTo("draft"));

        // The executive names the trustees on the draft, each with a staff token of their own.
        var seats = await TestTrustees.For(_console.Api).TrusteeSeatsAsync(3);
        await exec.GotoAsync(_console.Url($"/ballots/{id}"));
        await exec.GetByRole(AriaRole.Link, new() { Name = "Name the trustees" }).ClickAsync();
        await exec.GetByRole(AriaRole.Button, new() { Name = "Name these trustees" }).ClickAsync();
        await Assertions.Expect(exec.Locator(".error-summary")).ToContainTextAsync("trustees[0].name is required");
        await ConsoleFixture.AssertAccessible(exec);
        await ConsoleFixture.Screenshot(exec, "ballot-trustees");
        for (var i = 0; i < 3; i++)
        {
            await exec.Locator($"[id='trustees[{i}].name']").FillAsync(seats[i].Name);
            await exec.Locator($"[id='trustees[{i}].tokenId']").SelectOptionAsync(seats[i].TokenId.ToString(CultureInfo.InvariantCulture));
        }
        await exec.GetByRole(AriaRole.Button, new() { Name = "Name these trustees" }).ClickAsync();
        await Assertions.Expect(exec.Locator(".notice")).ToContainTextAsync("The trustees are named.");
        await Assertions.Expect(exec.Locator("#ceremony-stage")).ToHaveTextAsync("Making the key, step 1 of 3: waiting for Sam Scrutineer, Eve Executive 1, Rae Reserve to start (trustee init).");
        Assert.That(await _kit.Scalar<long>("SELECT COUNT(*) FROM ballot_trustee WHERE ballot_id = @id AND staff_token_id IS NOT NULL", new { id }), Is.EqualTo(3));

        // The trustees make the key; the ballot's page shows who did which step and the key's fingerprint.
        await TestTrustees.For(_console.Api).CeremonyAsync(id);
        await exec.GotoAsync(_console.Url($"/ballots/{id}"));
        await Assertions.Expect(exec.Locator("#ceremony-stage")).ToHaveTextAsync("The key is made. Any 2 of the 3 trustees together can count the votes; fewer can decrypt nothing.");
        await Assertions.Expect(exec.Locator("#key-fingerprint")).ToHaveTextAsync(await _kit.Scalar<string>("SELECT fingerprint FROM ballot_ceremony WHERE ballot_id = @id", new { id }));
        var trustees = exec.GetByRole(AriaRole.Table, new() { Name = "Trustees: any 2 of 3 can count the votes" });
        Assert.That(await trustees.GetByRole(AriaRole.Row).AllInnerTextsAsync(), Has.Some.Contain("Sam Scrutineer").And.Some.Contain("Rae Reserve"));
        Assert.That(await trustees.Locator("td").AllInnerTextsAsync(), Has.None.EqualTo("not yet"));
        await ConsoleFixture.AssertAccessible(exec);
        await ConsoleFixture.Screenshot(exec, "ballot-key-ceremony");

        await exec.GetByRole(AriaRole.Link, new() { Name = "Open the ballot…" }).ClickAsync();
        await exec.GetByRole(AriaRole.Button, new() { Name = "Open the ballot and queue 20 letters" }).ClickAsync();
        await Assertions.Expect(exec.Locator(".notice")).ToContainTextAsync("The ballot is open: 20 electors");
        await exec.GotoAsync(_console.Url($"/ballots/{id}"));
        await exec.GetByRole(AriaRole.Button, new() { Name = "Close the ballot now" }).ClickAsync();
        await Assertions.Expect(exec.Locator(".notice")).ToHaveTextAsync("The ballot is closed; the count waits for the trustees to decrypt the sums.");
        Assert.That(await _kit.Scalar<string>("SELECT status FROM ballot WHERE id = @id", new { id }), Is.EqualTo("closed"));
        Assert.That(await exec.Locator("main").InnerTextAsync(), Does.Contain("waits for the trustees"), "no result until the trustees decrypt");
        await _kit.Count(id);
        await exec.ReloadAsync();
        Assert.That(await exec.Locator("#result-cast").InnerTextAsync(), Is.EqualTo("0"));
        await exec.GotoAsync(_console.Url("/ballots?status=closed"));
        Assert.That(await exec.Locator("main table").InnerTextAsync(), Does.Contain("Indicative ballot on the pay arrangements"));

        // The public page says nothing before certification.
        using var anonymous = new HttpClient { BaseAddress = _console.Api.BaseAddress };
        var unpublished = await anonymous.GetAsync($"/results/{id}");
        Assert.That(unpublished.StatusCode, Is.EqualTo(HttpStatusCode.NotFound));
        Assert.That(await unpublished.Content.ReadAsStringAsync(), Does.Contain("Result not published").And.Not.Contain("Do you support"));
        await exec.Context.CloseAsync();
    }

    [Test]
    public async Task Only_the_executive_closes_early_and_only_the_scrutineer_certifies_even_when_the_form_is_posted_directly()
    {
        var id = await _kit.OpenConsultative();
        using var scrutineer = await _console.SignedInClient(Roles.Scrutineer);
        var close = await scrutineer.PostAsync($"/ballots/{id}?handler=Close", new(), tokenFrom: $"/ballots/{id}");
        Assert.That(close.StatusCode, Is.EqualTo(HttpStatusCode.Forbidden));
        Assert.That(await _kit.Scalar<string>("SELECT status FROM ballot WHERE id = @id", new { id }), Is.EqualTo("open"));

        using (var api = await _console.Api.ClientFor(Roles.Executive))
            await (await api.PostAsync($"/api/ballots/{id}/close", null)).AssertStatus(HttpStatusCode.OK);
        await _kit.Count(id);
        using var executive = await _console.SignedInClient(Roles.Executive);
        var certify = await executive.PostAsync($"/ballots/{id}/audit?handler=Certify", new(), tokenFrom: $"/ballots/{id}/audit");
        Assert.That(certify.StatusCode, Is.EqualTo(HttpStatusCode.Forbidden));
        Assert.That(await _kit.Scalar<string>("SELECT status FROM ballot WHERE id = @id", new { id }), Is.EqualTo("closed"));

        // The same post from the scrutineer certifies, so the refusal above was the role's doing.
        var certified = await scrutineer.PostAsync($"/ballots/{id}/audit?handler=Certify", new(), tokenFrom: $"/ballots/{id}/audit");
        Assert.That(certified.StatusCode, Is.EqualTo(HttpStatusCode.Redirect));
        Assert.That(await _kit.Scalar<string>("SELECT status FROM ballot WHERE id = @id", new { id }), Is.EqualTo("certified"));
    }

    /// <summary>The real worker sends the voting letters to a pickup folder; each member's letter, by address.</summary>
    private async Task<Dictionary<string, MimeMessage>> SendLetters(long ballotId)
    {
        var pickup = Path.Combine(_console.Api.Database.Folder ?? Path.GetTempPath(), $"pickup-{ballotId}");
        await using (var worker = await WorkerHost.StartAsync(_console.Api.Database.ConnectionString, c =>
        {
            c["Mail:PickupFolder"] = pickup;
            c["Mail:PublicBaseUrl"] = _console.Api.BaseAddress.ToString().TrimEnd('/');
            c["Ballots:CredentialKeyFile"] = _keyFile;
        }))
        {
            var mailingId = await _kit.Scalar<long>("SELECT id FROM mailing WHERE source_id = @ballotId AND purpose = 'voting-letter'", new { ballotId });
            await MailTestData.WaitForStatus(_console.Api, mailingId, "sent");
        }
        return Directory.GetFiles(pickup, "*.eml").Select(f => MimeMessage.Load(f))
            .Where(m => (m.TextBody ?? "").Contains(Title, StringComparison.Ordinal)).ToDictionary(m => m.To.Mailboxes.Single().Address);
    }

    private static string LinkIn(MimeMessage letter)
    {
        var link = Regex.Match(letter.TextBody ?? "", @"http://127\.0\.0\.1:\d+/vote/[A-Za-z0-9_-]{22}").Value;
        Assert.That(link, Is.Not.Empty, letter.TextBody);
        return link;
    }
}
