using System.Text.RegularExpressions;
using Ballot.Tests.Infrastructure;
using Ballot.Tests.Mail;
using Dapper;
using Deque.AxeCore.Playwright;
using Microsoft.Playwright;
using MimeKit;

namespace Ballot.Tests.Ballots;

/// <summary>A real Chromium opens the voting link a letter carries, votes by keyboard, and is refused a second time.</summary>
public sealed class BrowserVotingTests
{
    private ApiHost _api = null!;
    private BallotKit _kit = null!;
    private IPlaywright _playwright = null!;
    private IBrowser _browser = null!;

    private string _keyFile = null!;

    [SetUp]
    public async Task Start()
    {
        _keyFile = Path.Combine(Path.GetTempPath(), "ballot-tests", $"key-{Guid.NewGuid():N}");
        _api = await ApiHost.StartAsync(s => s["Ballots:CredentialKeyFile"] = _keyFile);
        _kit = new BallotKit(_api);
        await _kit.ImportMembers(MemberCsv.Generate(4, schools: 1));
        _playwright = await Playwright.CreateAsync();
        _browser = await _playwright.Chromium.LaunchAsync(new BrowserTypeLaunchOptions
        {
            ExecutablePath = "/usr/bin/chromium", Headless = true,
            Args = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update", "--no-first-run", "--disable-sync"],
        });
    }

    [TearDown]
    public async Task Stop()
    {
        await _browser.DisposeAsync();
        _playwright.Dispose();
        await _api.DisposeAsync();
        File.Delete(_keyFile);
    }

    /// <summary>The real worker sends the voting letters to the pickup folder; the member's link is read from their .eml.</summary>
    private async Task<(string Link, MimeMessage Letter)> LinkFromRealLetter(long ballotId, string email)
    {
        var pickup = Path.Combine(_api.Database.Folder!, "pickup");
        await using (var worker = await WorkerHost.StartAsync(_api.Database.ConnectionString, c =>
        {
            c["Mail:PickupFolder"] = pickup;
            c["Mail:PublicBaseUrl"] = _api.BaseAddress.ToString().TrimEnd('/');
            c["Ballots:CredentialKeyFile"] = _keyFile;
        }))
        {
            var mailingId = await _kit.Scalar<long>("SELECT id FROM mailing WHERE source_id = @ballotId AND purpose = 'voting-letter'", new { ballotId });
            await MailTestData.WaitForStatus(_api, mailingId, "sent");
        }
        var letter = Directory.GetFiles(pickup, "*.eml").Select(f => MimeMessage.Load(f)).Single(m => m.To.Mailboxes.Single().Address == email);
        var link = Regex.Match(letter.TextBody ?? "", @"http://127\.0\.0\.1:\d+/vote/[A-Za-z0-9_-]{22}").Value;
        Assert.That(link, Is.Not.Empty, letter.TextBody);
        return (link, letter);
    }

    /// <summary>The link as the letter carries it, pointed at this test server (the letter's base URL is configuration).</summary>
    private async Task<string> LinkFromLetter(long ballotId, string membershipNumber)
    {
        var url = _kit.VoteUrl(ballotId, await _kit.MemberId(membershipNumber));
        return new Uri(_api.BaseAddress, new Uri(url).AbsolutePath).ToString();
    }

    private static async Task AssertAccessible(IPage page)
    {
        var axe = await page.RunAxe();
        var bad = axe.Violations.Where(v => v.Impact is "serious" or "critical").Select(v => $"{v.Id} ({v.Impact}): {v.Help}").ToList();
        Assert.That(bad, Is.Empty, $"axe-core violations on {page.Url}");
    }

    [Test]
    public async Task A_member_opens_the_link_from_their_letter_votes_by_keyboard_sees_a_receipt_and_is_refused_the_second_time()
    {
        // The worker runs on the real clock, so the ballot stays open for a year from now.
        await _kit.CommenceVotingOrder();
        var id = await _kit.Create(BallotKit.IndustrialAction(_kit.Now, DateTimeOffset.UtcNow.AddDays(365)));
        await _kit.GiveNotices(id);
        await _kit.Open(id);
        var (link, letter) = await LinkFromRealLetter(id, "member1@example.org");
        Assert.That(letter.TextBody, Does.Contain("Dear First1").And.Contain("Electoral Reform Services")
            .And.Contain("Are you prepared to take part in a strike?").And.Not.Contain("{%").And.Not.Contain("{{"));
        Assert.That(letter.Headers.Contains("List-Unsubscribe"), Is.False, "statutory ballot mail has no unsubscribe");
        var context = await _browser.NewContextAsync(new BrowserNewContextOptions { ViewportSize = new ViewportSize { Width = 390, Height = 844 }, JavaScriptEnabled = true });
        var page = await context.NewPageAsync();
        var stale = await context.NewPageAsync();

        var response = await page.GotoAsync(link);
        Assert.That(response!.Status, Is.EqualTo(200));
        await stale.GotoAsync(link);
        Assert.That(await page.Locator("h1").InnerTextAsync(), Does.Contain("National ballot to boycott"));
        var text = await page.Locator("main").InnerTextAsync();
        Assert.That(text, Does.Contain("Electoral Reform Services").And.Contain("you may be in breach of your contract of employment")
            .And.Contain("Are you prepared to take part in a strike?").And.Contain("Voting closes on"));
        await AssertAccessible(page);

        // Keyboard only: Tab into each radio group, Space to choose, Tab to the button, Enter to submit.
        await page.Keyboard.PressAsync("Tab");
        await page.Keyboard.PressAsync("Space");
        await page.Keyboard.PressAsync("Tab");
        await page.Keyboard.PressAsync("ArrowDown");
        await page.Keyboard.PressAsync("Tab");
        Assert.That(await page.EvaluateAsync<string>("document.activeElement.tagName"), Is.EqualTo("BUTTON"));
        await page.Keyboard.PressAsync("Enter");
        await Assertions.Expect(page.Locator("h1")).ToHaveTextAsync("Your vote is recorded");
        var receipt = await page.Locator("#receipt").InnerTextAsync();
        Assert.That(receipt, Does.Match("^[0-9a-f]{8}(-[0-9a-f]{8}){7}$"));
        await AssertAccessible(page);

        // The page opened before voting submits again: refused, and it never shows the choice.
        await stale.GetByLabel("No").First.CheckAsync();
        await stale.GetByRole(AriaRole.Button, new() { Name = "Cast my vote" }).ClickAsync();
        await Assertions.Expect(stale.Locator("h1")).ToHaveTextAsync("You have already voted");
        var again = await page.GotoAsync(link);
        Assert.That(again!.Status, Is.EqualTo(409));
        Assert.That(await page.Locator("h1").InnerTextAsync(), Is.EqualTo("You have already voted"));
        Assert.That(await page.Locator("main").InnerTextAsync(), Does.Not.Contain("Yes").And.Not.Contain(receipt));
        await AssertAccessible(page);

        await using var conn = await _api.OpenAsync();
        Assert.That((await TestPapers.OpenAsync(_api, id)).Single(), Is.EqualTo("""{"strike":"Yes","action-short-of-strike":"No"}"""));
        var stored = await conn.ExecuteScalarAsync<string>("SELECT tracker FROM ballot_paper WHERE ballot_id = @id", new { id });
        Assert.That(receipt.Replace("-", ""), Is.EqualTo(stored));
    }

    /// <summary>Issue 11, flaw 9: the policy forbids inline code without the nonce, and the pages still look as designed.</summary>
    [Test]
    public async Task The_voting_page_and_the_api_reference_render_under_the_content_security_policy()
    {
        var id = await _kit.OpenConsultative();
        var link = await LinkFromLetter(id, "M000003");
        var context = await _browser.NewContextAsync();
        var page = await context.NewPageAsync();
        var violations = new List<string>();
        page.Console += (_, m) => { if (m.Text.Contains("Content Security Policy", StringComparison.OrdinalIgnoreCase)) violations.Add(m.Text); };

        await page.GotoAsync(link);
        Assert.That(await page.EvaluateAsync<string>("getComputedStyle(document.querySelector('header')).backgroundColor"), Is.EqualTo("rgb(29, 53, 87)"),
            "the page's own style, carrying the nonce, applies");
        // Script injected into the page (as an attacker's markup would be) does not run.
        await page.EvaluateAsync("() => { const s = document.createElement('script'); s.textContent = 'window.injected = 1'; document.body.appendChild(s); }");
        Assert.That(await page.EvaluateAsync<bool>("window.injected === 1"), Is.False);
        Assert.That(violations, Has.Count.EqualTo(1), "the injected script is the one refusal");

        violations.Clear();
        await page.GotoAsync(new Uri(_api.BaseAddress, "/docs/api/").ToString(), new PageGotoOptions { WaitUntil = WaitUntilState.NetworkIdle });
        // The document's description is rendered by Scalar's script from the fetched OpenAPI document (operations further
        // down are drawn lazily, as the reader scrolls, so the first screen is what proves the script ran).
        await Assertions.Expect(page.GetByText("Union member register, mailings, secret ballots, leaflets and conference motions.").First)
            .ToBeVisibleAsync(new() { Timeout = 20_000 });
        Assert.That(violations, Is.Empty, "the API reference (its hashed inline script, no fonts from a CDN) runs under its policy");
    }

    [Test]
    public async Task The_pages_for_an_unknown_link_and_a_closed_ballot_say_so_and_work_without_javascript()
    {
        var id = await _kit.OpenConsultative();
        var link = await LinkFromLetter(id, "M000002");
        var context = await _browser.NewContextAsync(new BrowserNewContextOptions { JavaScriptEnabled = false });
        var page = await context.NewPageAsync();
        var invalid = await page.GotoAsync(new Uri(_api.BaseAddress, "/vote/AAAAAAAAAAAAAAAAAAAAAA").ToString());
        Assert.That(invalid!.Status, Is.EqualTo(404));
        Assert.That(await page.Locator("h1").InnerTextAsync(), Is.EqualTo("This link is not valid"));

        await page.GotoAsync(link);
        await page.GetByLabel("Yes").CheckAsync();
        await page.GetByLabel("Spring term").CheckAsync();
        await page.GetByRole(AriaRole.Button, new() { Name = "Cast my vote" }).ClickAsync();
        await Assertions.Expect(page.Locator("h1")).ToHaveTextAsync("Your vote is recorded");   // the form works with JavaScript off

        _api.Clock.Advance(TimeSpan.FromDays(11));
        var closed = await page.GotoAsync(await LinkFromLetter(id, "M000003"));
        Assert.That(closed!.Status, Is.EqualTo(403));
        Assert.That(await page.Locator("h1").InnerTextAsync(), Is.EqualTo("Voting has closed"));
    }
}
