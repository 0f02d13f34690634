using Ballot.Core.Mail;
using Ballot.Core.Staff;
using Ballot.Tests.Ballots;
using Ballot.Tests.Infrastructure;
using Ballot.Tests.Motions;
using Dapper;
using Microsoft.Playwright;

namespace Ballot.Tests.Console;

/// <summary>
/// The home page shows what needs attention, each role only what it may see: an open ballot with turnout and time
/// left, its voting letters sending with a progress bar, a draft awaiting approval, overdue instructions, failures.
/// </summary>
public sealed class HomePageTests
{
    private ConsoleFixture _console = null!;

    [OneTimeSetUp]
    public async Task Start() => _console = await ConsoleFixture.StartAsync();

    [OneTimeTearDown]
    public async Task Stop() => await _console.DisposeAsync();

    [Test]
    public async Task Each_role_sees_what_needs_its_attention_now()
    {
        var api = _console.Api;
        var kit = new BallotKit(api);
        await kit.ImportMembers(MemberCsv.Generate(4, schools: 1));
        // Opening the ballot queues its voting letters (a mailing now sending); one member votes at once.
        var ballot = await kit.Create(BallotKit.Consultative(kit.Now, kit.Now.AddDays(2).AddHours(3)));
        await kit.Open(ballot);
        await kit.VoteOk(ballot, "M000001", """{"boycott":"Yes","timing":"Autumn term"}""");
        // The worker's poll: the letters' mailing, scheduled for now, starts sending.
        await api.App.Services.GetRequiredService<MailDispatch>().DueAsync(CancellationToken.None);
        var draft = await api.Send(new CreateMailing.Command("Pay campaign update", "Dear {{ member.first_name }}, ...", null, new Audience(), "Test organiser"));
        // A letter the SMTP server refused for good, as the worker records it.
        await using (var conn = await api.OpenAsync())
            await conn.ExecuteAsync("""
                UPDATE mailing_recipient SET state = 'failed', last_error = '550 5.1.1 No such user'
                WHERE id = (SELECT MIN(r.id) FROM mailing_recipient r JOIN mailing m ON m.id = r.mailing_id WHERE m.source_id = @ballot)
                """, new { ballot });
        var exec = new MotionsClient(await api.ClientFor(Roles.Executive));
        var conference = await exec.Conference("Annual Conference 2026", "2026-04-04", "2026-04-07");
        var motion = await exec.Motion(conference, "Conference instructs the Executive to:\n  1. Write to every member in the summer term 2026.\n", "Pay and performance");
        await exec.Carry((long)motion["id"]!);

        var page = await _console.SignedInPage(Roles.Executive);
        var main = await page.Locator("main").InnerTextAsync();
        Assert.That(main, Does.Contain("Indicative ballot on the pay arrangements").And.Contain("25.0% (1 of 4)").And.Contain("2 days 3 hours")
            .And.Contain("Wednesday 9 September 2026 at 13:00 BST"));
        Assert.That(await page.Locator("#sending-heading").IsVisibleAsync(), Is.True);
        Assert.That(await page.Locator("progress").CountAsync(), Is.EqualTo(1));
        Assert.That(await page.Locator("progress").GetAttributeAsync("value"), Is.EqualTo("25"), "1 failed of 4 letters handled");
        Assert.That(main, Does.Contain("Your vote: Indicative ballot on the pay arrangements").And.Not.Contain("{%").And.Contain("0 sent, 1 failed, of 4"));
        Assert.That(await page.Locator("section[aria-labelledby=approval-heading]").InnerTextAsync(), Does.Contain("Pay campaign update"));
        Assert.That(await page.Locator("section[aria-labelledby=overdue-heading]").InnerTextAsync(), Does.Contain("Write to every member in the summer term 2026.").And.Contain("Motion 1, Pay and performance, instruction 1; due 31 July 2026"));
        Assert.That(await page.Locator("section[aria-labelledby=failures-heading]").InnerTextAsync(), Does.Contain("1 letter failed"));
        await ConsoleFixture.AssertAccessible(page);
        await ConsoleFixture.Screenshot(page, "home");
        await page.Context.CloseAsync();
        Assert.That(draft.Id, Is.GreaterThan(0));

        using var organiser = await _console.SignedInClient(Roles.Organiser);
        var organiserHome = await (await organiser.GetAsync("/")).Content.ReadAsStringAsync();
        Assert.That(organiserHome, Does.Contain("Indicative ballot on the pay arrangements").And.Contain("2 days 3 hours").And.Contain("Mailings sending")
            .And.Not.Contain("25.0%").And.Not.Contain("awaiting approval"), "organisers see no turnout (as in the API) and approve nothing");

        using var scrutineer = await _console.SignedInClient(Roles.Scrutineer);
        var scrutineerHome = await (await scrutineer.GetAsync("/")).Content.ReadAsStringAsync();
        Assert.That(scrutineerHome, Does.Contain("25.0% <span class=\"secondary\">(1 of 4)").And.Not.Contain("Mailings sending").And.Not.Contain("Overdue instructions")
            .And.Not.Contain("Pay campaign update"), "the scrutineer sees turnout and nothing of the register's mail");
    }
}
