using Ballot.Core.Mail;
using Ballot.Core.Staff;
using Ballot.Tests.Mail;
using Dapper;
using Microsoft.Playwright;
using static Microsoft.Playwright.Assertions;

namespace Ballot.Tests.Console;

/// <summary>
/// Mailings in the browser, with the real worker sending to the loopback SMTP test server: write, count, preview,
/// test copy, approve (executive), send, watch progress reach "sent", failed letters with the server's reply.
/// </summary>
public sealed class MailingPageTests
{
    private ConsoleFixture _console = null!;
    private SmtpTestServer _smtp = null!;
    private WorkerHost _worker = null!;

    [OneTimeSetUp]
    public async Task Start()
    {
        _console = await ConsoleFixture.StartAsync();
        _smtp = await SmtpTestServer.StartAsync();
        _worker = await WorkerHost.StartAsync(_console.Api.Database.ConnectionString, c =>
        {
            _smtp.AddTo(c);
            c["Mail:JournalFolder"] = Path.Combine(_console.Api.Database.Folder!, "journal");
            c["Mail:MaxAttempts"] = "1";
        });
        // Eight teachers and two support staff; one support-staff address the test server refuses with 550.
        await MailTestData.ImportAsync(_console.Api, MailTestData.Register(8, "reject.one")
            + "S00009,Sue,Staff,sue@example.org,School 2,Employer 2,Region 0,support-staff\n");
        await using var conn = await _console.Api.OpenAsync();
        await conn.ExecuteAsync("UPDATE member SET category = 'support-staff' WHERE membership_number = 'S00001'");
    }

    [OneTimeTearDown]
    public async Task Stop()
    {
        await _worker.DisposeAsync();
        await _smtp.DisposeAsync();
        await _console.DisposeAsync();
    }

    [Test]
    public async Task The_organiser_writes_and_previews_a_mailing_the_executive_approves_it_and_the_organiser_watches_it_sent()
    {
        var organiser = await _console.SignedInPage(Roles.Organiser);
        await organiser.GetByRole(AriaRole.Navigation, new() { Name = "Main" }).GetByRole(AriaRole.Link, new() { Name = "Mailings" }).ClickAsync();
        await organiser.GetByRole(AriaRole.Link, new() { Name = "Write a mailing" }).ClickAsync();
        await Expect(organiser.Locator("h1")).ToHaveTextAsync("Write a mailing");
        await ConsoleFixture.AssertAccessible(organiser);

        await organiser.GetByLabel("Subject").FillAsync("Support staff pay, {{ first_name }}");
        await organiser.GetByLabel("Letter", new() { Exact = true }).FillAsync("Dear {{ first_name }},\n\nThe offer for **support staff** at {{ workplace }} is in.");
        await organiser.GetByLabel("Support staff").CheckAsync();
        // The script counts as the audience changes; the Count button gives the same answer without it.
        await Expect(organiser.Locator("#audience-count")).ToHaveTextAsync("This audience reaches 2 members.");
        await organiser.GetByRole(AriaRole.Button, new() { Name = "Count" }).ClickAsync();
        await Expect(organiser.Locator("#audience-count")).ToHaveTextAsync("This audience reaches 2 members.");
        await Expect(organiser.GetByLabel("Subject")).ToHaveValueAsync("Support staff pay, {{ first_name }}");
        await ConsoleFixture.Screenshot(organiser, "mailing-new");
        await organiser.GetByRole(AriaRole.Button, new() { Name = "Save draft" }).ClickAsync();
        await Expect(organiser.Locator(".notice")).ToHaveTextAsync("The mailing is saved as a draft.");
        var id = long.Parse(new Uri(organiser.Url).Segments.Last());
        await Expect(organiser.Locator("main")).ToContainTextAsync("An executive must approve this mailing before it can be sent.");
        await Expect(organiser.GetByRole(AriaRole.Button, new() { Name = "Approve this mailing" })).ToHaveCountAsync(0);
        await ConsoleFixture.AssertAccessible(organiser);

        await organiser.GetByRole(AriaRole.Link, new() { Name = "Preview and send a test copy" }).ClickAsync();
        await ConsoleFixture.AssertAccessible(organiser); // before the letter's frame is there: axe-core cannot enter a frame that runs no script
        await organiser.GetByLabel("Preview the letter as this member").FillAsync("S00009");
        await organiser.GetByRole(AriaRole.Button, new() { Name = "Preview" }).ClickAsync();
        var frame = organiser.Locator("iframe.letter-frame");
        Assert.That(await frame.GetAttributeAsync("sandbox"), Is.EqualTo(""), "sandboxed, without allow-scripts");
        await Expect(organiser.FrameLocator("iframe.letter-frame").Locator("body")).ToContainTextAsync("Dear Sue,");
        await Expect(organiser.FrameLocator("iframe.letter-frame").Locator("strong")).ToHaveTextAsync("support staff");
        await Expect(organiser.Locator("pre.letter-text")).ToContainTextAsync("The offer for support staff at School 2 is in.");
        await ConsoleFixture.Screenshot(organiser, "mailing-preview");
        var html = await organiser.Context.APIRequest.GetAsync(_console.Url($"/mailings/{id}/preview/html?member=S00009"));
        var csp = html.Headers["content-security-policy"];
        Assert.That(csp, Does.Contain("default-src 'none'").And.Contain("sandbox").And.Not.Contain("script"));

        var before = _smtp.Accepted().Count;
        await organiser.GetByLabel("Send it to").FillAsync("proof@example.org");
        await organiser.GetByRole(AriaRole.Button, new() { Name = "Send a test copy" }).ClickAsync();
        await Expect(organiser.Locator(".notice")).ToHaveTextAsync("A test copy, rendered for member S00009, is on its way to proof@example.org.");
        var test = (await _smtp.WaitForMessages(before + 1)).Single(m => m.To.Mailboxes.Single().Address == "proof@example.org");
        Assert.That(test.Subject, Is.EqualTo("[TEST] Support staff pay, Sue"));

        await organiser.GotoAsync(_console.Url($"/mailings/{id}"));
        await Expect(organiser.GetByRole(AriaRole.Button, new() { Name = "Send now" })).ToHaveCountAsync(0);

        var executive = await _console.SignedInPage(Roles.Executive);
        await executive.GetByRole(AriaRole.Link, new() { Name = "Support staff pay, {{ first_name }}" }).ClickAsync();
        await executive.GetByRole(AriaRole.Button, new() { Name = "Approve this mailing" }).ClickAsync();
        await Expect(executive.Locator(".notice")).ToHaveTextAsync("The mailing is approved. It can now be sent.");
        await Expect(executive.Locator(".summary .tag")).ToHaveTextAsync("approved");
        await ConsoleFixture.Screenshot(executive, "mailing");
        await executive.Context.CloseAsync();

        await organiser.ReloadAsync();
        await ConsoleFixture.AssertAccessible(organiser);
        await organiser.GetByRole(AriaRole.Button, new() { Name = "Send now" }).ClickAsync();
        await Expect(organiser.Locator("h1")).ToHaveTextAsync("Progress: Support staff pay, {{ first_name }}");
        await ConsoleFixture.AssertAccessible(organiser);
        // progress.js polls; no reload here.
        await Expect(organiser.Locator("[data-field=Status]")).ToHaveTextAsync("sent", new() { Timeout = 60_000 });
        await Expect(organiser.Locator("[data-field=Sent]")).ToHaveTextAsync("1");
        await Expect(organiser.Locator("[data-field=Failed]")).ToHaveTextAsync("1");
        await Expect(organiser.Locator("[data-field=Recipients]")).ToHaveTextAsync("2");
        await Expect(organiser.Locator("#progress-bar")).ToHaveAttributeAsync("value", "100");
        await ConsoleFixture.Screenshot(organiser, "mailing-progress");

        await organiser.ReloadAsync();
        await organiser.GetByRole(AriaRole.Link, new() { Name = "See the failed letters and the mail server's replies" }).ClickAsync();
        var failed = organiser.Locator("table tbody tr");
        await Expect(failed).ToHaveCountAsync(1);
        await Expect(failed).ToContainTextAsync("reject.one@example.org");
        await Expect(failed).ToContainTextAsync("550");
        await ConsoleFixture.Screenshot(organiser, "mailing-failed");
        await ConsoleFixture.AssertAccessible(organiser);

        await using var conn = await _console.Api.OpenAsync();
        var states = (await conn.QueryAsync<(string Email, string State)>(
            "SELECT email, state FROM mailing_recipient WHERE mailing_id = @id ORDER BY email", new { id })).ToList();
        Assert.That(states, Is.EqualTo(new[] { ("reject.one@example.org", "failed"), ("sue@example.org", "sent") }));
        Assert.That(_smtp.Messages().Count(m => m.Subject == "Support staff pay, Sue"), Is.EqualTo(1));
        await organiser.GotoAsync(_console.Url("/mailings"));
        await ConsoleFixture.Screenshot(organiser, "mailings");
        await organiser.Context.CloseAsync();
    }

    [Test]
    public async Task Letters_of_a_ballot_show_their_progress_only_and_a_draft_can_be_cancelled()
    {
        var ballotMail = await MailTestData.EnqueueAsync(_console.Api, new NewMailing("statutory", "Your ballot paper", "Vote: {{ vote_url }}",
            null, "ballot", 42, "voting", _console.Api.Clock.GetUtcNow().AddYears(5)), "m.membership_number = 'M000001'");
        var page = await _console.SignedInPage(Roles.Executive);
        await page.GotoAsync(_console.Url($"/mailings/{ballotMail}"));
        await Expect(page.Locator("main")).ToContainTextAsync("The ballot owns them");
        await Expect(page.GetByRole(AriaRole.Button)).ToHaveTextAsync(["Sign out"]);
        await ConsoleFixture.AssertAccessible(page);
        await page.GotoAsync(_console.Url($"/mailings/{ballotMail}/preview?member=M000001"));
        await Expect(page.Locator(".error-summary")).ToContainTextAsync("the ballot owns these letters");
        await Expect(page.Locator("iframe")).ToHaveCountAsync(0);

        var draft = await _console.Api.Send(new CreateMailing.Command("To cancel", "Body", null, null, "organiser:test"));
        // Approving is the executive's alone: an organiser's form post, token and all, gets the 403 page and changes nothing.
        using (var organiser = await _console.SignedInClient(Roles.Organiser))
        {
            var refused = await organiser.PostAsync($"/mailings/{draft.Id}?handler=approve", [], tokenFrom: $"/mailings/{draft.Id}");
            Assert.That((int)refused.StatusCode, Is.EqualTo(403));
            Assert.That(await refused.Content.ReadAsStringAsync(), Does.Contain("You do not have access to this page"));
        }
        await page.GotoAsync(_console.Url($"/mailings/{draft.Id}"));
        await page.GetByRole(AriaRole.Button, new() { Name = "Cancel this mailing" }).ClickAsync();
        await Expect(page.Locator(".notice")).ToHaveTextAsync("The mailing is cancelled. Letters already sent stay sent.");
        await using var conn = await _console.Api.OpenAsync();
        Assert.That(await conn.ExecuteScalarAsync<string>("SELECT status || ' ' || coalesce(approved_by, '-') FROM mailing WHERE id = @id", new { id = draft.Id }),
            Is.EqualTo("cancelled -"));
        await page.Context.CloseAsync();
    }
}
