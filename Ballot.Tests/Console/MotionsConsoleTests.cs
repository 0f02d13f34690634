using System.Net;
using Ballot.Core.Leaflets;
using Ballot.Core.Mail;
using Ballot.Core.Staff;
using Ballot.Tests.Ballots;
using Ballot.Tests.Infrastructure;
using Ballot.Tests.Motions;
using Dapper;
using Microsoft.Playwright;

namespace Ballot.Tests.Console;

/// <summary>
/// Conference → motion → instructions in the browser: the executive records the seed conference and motion (its text
/// kept exactly, typos included), moves an amendment and sees its difference, carries the motion by card vote, and
/// links the three instructions to the mailing, the ballot and the campaign that carry them out.
/// </summary>
public sealed class MotionsConsoleTests
{
    private ConsoleFixture _console = null!;
    private string _pickup = null!;

    [OneTimeSetUp]
    public async Task Start()
    {
        _pickup = Path.Combine(Path.GetTempPath(), "ballot-motions-console-" + Guid.NewGuid().ToString("N"));
        _console = await ConsoleFixture.StartAsync(s => s["Mail:PickupFolder"] = _pickup);
    }

    [OneTimeTearDown]
    public async Task Stop()
    {
        await _console.DisposeAsync();
        if (Directory.Exists(_pickup)) Directory.Delete(_pickup, true);
    }

    private static string SeedText(string seed) => seed[seed.IndexOf("Conference opposes", StringComparison.Ordinal)..];

    /// <summary>An open ballot with 1 vote of 4 (25% turnout), a mailing sent to the 4 members, and a leaflet campaign.</summary>
    private async Task<(long Ballot, long Mailing, long Campaign)> WhatCarriesThemOut()
    {
        var api = _console.Api;
        var kit = new BallotKit(api);
        await kit.ImportMembers(MemberCsv.Generate(4, schools: 1));
        var ballot = await kit.Create(BallotKit.Consultative(kit.Now, kit.Now.AddDays(14)));
        await kit.Open(ballot);
        await kit.VoteOk(ballot, "M000001", """{"boycott":"Yes","timing":"Autumn term"}""");
        var mailing = await api.Send(new CreateMailing.Command("Why we oppose performance management", "Dear {{ member.first_name }}, ...", null,
            new Audience(), "Test organiser"));
        await api.Send(new ApproveMailing.Command(mailing.Id, "Test executive"));
        await api.Send(new ScheduleMailing.Command(mailing.Id, null, "Test executive"));
        await api.App.Services.GetRequiredService<MailDispatch>().DueAsync(CancellationToken.None);
        await api.App.Services.GetRequiredService<MailingSender>().RunAsync(mailing.Id, CancellationToken.None);
        await api.App.Services.GetRequiredService<MailDispatch>().DueAsync(CancellationToken.None);
        var campaign = await api.Send(new CreateCampaign.Command("Performance pay: the case against", "https://example.org/pay", "Published by the Union",
            "#c8102e", null, null));
        return (ballot, mailing.Id, campaign.Id);
    }

    [Test]
    public async Task The_executive_records_the_seed_motion_amends_it_carries_it_by_card_vote_and_links_its_instructions()
    {
        var (ballot, mailing, campaign) = await WhatCarriesThemOut();
        var seed = MotionsClient.Seed();
        var page = await _console.SignedInPage(Roles.Executive);

        await page.GetByRole(AriaRole.Link, new() { Name = "Motions" }).ClickAsync();
        await Assertions.Expect(page.Locator("h1")).ToHaveTextAsync("Conferences");
        await page.GetByLabel("Name").FillAsync("Annual Conference 2001");
        await page.GetByLabel("Place").FillAsync("Conference hall");
        await page.GetByLabel("First day").FillAsync("2001-04-14");
        await page.GetByLabel("Last day").FillAsync("2001-04-17");
        await page.GetByRole(AriaRole.Button, new() { Name = "Record the conference" }).ClickAsync();
        await Assertions.Expect(page.Locator("h1")).ToHaveTextAsync("Annual Conference 2001");
        await ConsoleFixture.AssertAccessible(page);

        await page.GetByLabel("The motion as sent").FillAsync(seed);
        await page.GetByLabel("Proposed by a").SelectOptionAsync("division");
        await page.GetByLabel("Proposer's name").FillAsync("Sheffield");
        await page.GetByRole(AriaRole.Button, new() { Name = "Import the motion" }).ClickAsync();
        await Assertions.Expect(page.Locator("h1")).ToHaveTextAsync("Motion 1: NUT policy on Performance Management passed at the Easter annual conference 2001");
        Assert.That(await page.Locator("#original-text").TextContentAsync(), Is.EqualTo(SeedText(seed)), "shown as entered, typos included");
        long motion;
        await using (var conn = await _console.Api.OpenAsync())
        {
            motion = await conn.ExecuteScalarAsync<long>("SELECT id FROM motion WHERE title LIKE 'NUT policy%'");
            var stored = await conn.ExecuteScalarAsync<string>("SELECT original_text FROM motion WHERE id = @motion", new { motion });
            Assert.That(System.Text.Encoding.UTF8.GetBytes(stored!), Is.EqualTo(System.Text.Encoding.UTF8.GetBytes(SeedText(seed))),
                "stored byte for byte: the browser's CRLF line breaks are undone, 'evidencefor', 're;lations' and 'furtehr' kept");
        }

        // Only the status changes allowed now are offered.
        var buttons = await page.Locator("form button:text-matches('^Mark as')").AllInnerTextsAsync();
        Assert.That(buttons, Is.EqualTo(new[] { "Mark as prioritised", "Mark as debated", "Mark as withdrawn" }));
        await page.GetByRole(AriaRole.Button, new() { Name = "Mark as debated" }).ClickAsync();
        await Assertions.Expect(page.Locator(".notice")).ToHaveTextAsync("The motion is now debated.");
        Assert.That(await page.Locator("form button:text-matches('^Mark as')").AllInnerTextsAsync(), Is.EqualTo(new[] { "Mark as remitted", "Mark as withdrawn" }));

        await page.GetByLabel("Moved by a").SelectOptionAsync("branch");
        await page.GetByLabel("Mover's name").FillAsync("Camden");
        await page.GetByLabel("The amendment", new() { Exact = true }).SelectOptionAsync("delete");
        await page.GetByLabel("Words", new() { Exact = true }).FillAsync("will create an atmosphere of distrust");
        await page.GetByLabel("Insert in their place (deletion only, optional)").FillAsync("are already creating an atmosphere of distrust and fear");
        await page.GetByRole(AriaRole.Button, new() { Name = "Move the amendment" }).ClickAsync();
        await Assertions.Expect(page.Locator(".notice")).ToHaveTextAsync("Amendment 1 moved.");
        var amendment = page.Locator("section.amendment");
        static IEnumerable<string> Marked(IReadOnlyList<string> runs) => runs.Select(r => System.Text.RegularExpressions.Regex.Replace(r, @"\s+\]", "]"));
        Assert.That(Marked(await amendment.Locator("del").AllTextContentsAsync()), Is.EqualTo(new[] { "[deleted: will create]" }));
        Assert.That(Marked(await amendment.Locator("ins").AllTextContentsAsync()), Is.EqualTo(new[] { "[inserted: are already creating]", "[inserted: and fear]" }));
        Assert.That(await amendment.Locator(".diff").TextContentAsync(), Does.Contain("these regulations [deleted: will create ][inserted: are already creating ]an atmosphere of distrust [inserted: and fear]. They"),
            "the rest of the motion reads as it stands");
        await ConsoleFixture.AssertAccessible(page);

        // Conference carries the amendment by show of hands; the text as amended reads the new words.
        await page.Locator("#hands-target").SelectOptionAsync(new SelectOptionValue { Label = "amendment 1" });
        await page.GetByLabel("carried").CheckAsync();
        await page.GetByRole(AriaRole.Button, new() { Name = "Record the show of hands" }).ClickAsync();
        await Assertions.Expect(page.Locator(".notice")).ToHaveTextAsync("Amendment 1 is carried.");
        Assert.That(await page.Locator("#amended-text").TextContentAsync(), Does.Contain("these regulations are already creating an atmosphere of distrust and fear. They will undermine"));
        Assert.That(await page.Locator("#original-text").TextContentAsync(), Is.EqualTo(SeedText(seed)));

        // A card vote that does not add up is refused beside its field; then the motion is carried.
        await page.Locator("#card-target").SelectOptionAsync("motion");
        await page.GetByLabel("For", new() { Exact = true }).FillAsync("0");
        await page.GetByLabel("Against", new() { Exact = true }).FillAsync("0");
        await page.GetByRole(AriaRole.Button, new() { Name = "Record the card vote" }).ClickAsync();
        await Assertions.Expect(page.Locator("#for-error")).ToContainTextAsync("No votes were cast for or against");
        await page.GetByLabel("For", new() { Exact = true }).FillAsync("152310");
        await page.GetByLabel("Against", new() { Exact = true }).FillAsync("20456");
        await page.GetByLabel("Abstaining").FillAsync("1200");
        await page.GetByRole(AriaRole.Button, new() { Name = "Record the card vote" }).ClickAsync();
        await Assertions.Expect(page.Locator(".notice")).ToHaveTextAsync("The motion is carried.");
        Assert.That(await page.Locator("dl.summary").InnerTextAsync(), Does.Contain("carried").And.Contain("card vote: 152,310 for, 20,456 against, 1,200 abstaining"));
        Assert.That(await page.Locator("form button:text-matches('^Mark as')").CountAsync(), Is.Zero, "a decided motion offers no status change");
        Assert.That(await page.Locator("ol.instructions li").CountAsync(), Is.EqualTo(3));
        await ConsoleFixture.Screenshot(page, "motion");

        // The decisions PDF downloads with the session.
        var pdf = await page.Context.APIRequest.GetAsync(_console.Url($"/conferences/{await Conference()}?handler=decisions"));
        Assert.That(pdf.Status, Is.EqualTo(200));
        Assert.That(pdf.Headers["content-type"], Is.EqualTo("application/pdf"));
        Assert.That(System.Text.Encoding.ASCII.GetString((await pdf.BodyAsync())[..5]), Is.EqualTo("%PDF-"));

        // Search: matching words highlighted in the snippet.
        await page.GotoAsync(_console.Url("/motions/search"));
        await page.GetByLabel("Words to find").FillAsync("boycott");
        await page.GetByRole(AriaRole.Button, new() { Name = "Search" }).ClickAsync();
        await Assertions.Expect(page.Locator("main h2")).ToHaveTextAsync("1 motion matches");
        Assert.That(await page.Locator(".snippet mark").AllTextContentsAsync(), Is.EqualTo(new[] { "boycott" }));
        await ConsoleFixture.AssertAccessible(page);

        // The board: three open instructions; each linked to what carries it out, chosen from the lists.
        await page.GetByRole(AriaRole.Link, new() { Name = "Instructions" }).First.ClickAsync();
        await Assertions.Expect(page.Locator("table.board tbody tr")).ToHaveCountAsync(3);
        await ConsoleFixture.AssertAccessible(page);
        async Task Link(int number, string value)
        {
            await page.GotoAsync(_console.Url("/instructions?status=all"));
            await page.Locator("table.board tbody th a").GetByText(new System.Text.RegularExpressions.Regex($"^{number}\\. ")).ClickAsync();
            await Assertions.Expect(page.Locator("h1")).ToHaveTextAsync($"Instruction {number} of motion 1");
            await page.GetByLabel("Mailing, ballot or campaign").SelectOptionAsync(value);
            await page.GetByRole(AriaRole.Button, new() { Name = "Link it" }).ClickAsync();
            await Assertions.Expect(page.Locator(".notice")).ToContainTextAsync("Linked to");
        }
        await Link(1, $"mailing:{mailing}");
        await page.GetByLabel("Assignee").FillAsync("General Secretary");
        await page.GetByLabel("Progress").SelectOptionAsync("done");
        await page.GetByRole(AriaRole.Button, new() { Name = "Save" }).ClickAsync();
        await Assertions.Expect(page.Locator(".notice")).ToHaveTextAsync("Instruction updated.");
        await ConsoleFixture.AssertAccessible(page);
        await Link(2, $"ballot:{ballot}");
        await Link(3, $"campaign:{campaign}");

        await page.GotoAsync(_console.Url("/instructions?status=all"));
        var rows = page.Locator("table.board tbody tr");
        Assert.That(await rows.Nth(0).InnerTextAsync(), Does.Contain("Write to ever member").And.Contain("General Secretary").And.Contain("done")
            .And.Contain("Why we oppose performance management: mailing sent to 4"));
        Assert.That(await rows.Nth(1).InnerTextAsync(), Does.Contain("Conduct a national ballot").And.Contain("Indicative ballot on the pay arrangements: ballot open, 25% turnout"));
        Assert.That(await rows.Nth(2).InnerTextAsync(), Does.Contain("Produce materials").And.Contain("Performance pay: the case against: campaign: 0 leaflets written"));
        Assert.That(await rows.Nth(1).GetByRole(AriaRole.Link, new() { Name = "Indicative ballot on the pay arrangements" }).GetAttributeAsync("href"), Is.EqualTo($"/ballots/{ballot}"));
        Assert.That(await rows.Nth(0).GetByRole(AriaRole.Link, new() { Name = "Why we oppose performance management" }).GetAttributeAsync("href"), Is.EqualTo($"/mailings/{mailing}"));
        await ConsoleFixture.Screenshot(page, "instructions");
        await page.GetByRole(AriaRole.Link, new() { Name = "Performance pay: the case against" }).ClickAsync();
        await Assertions.Expect(page.Locator("h1")).ToHaveTextAsync("Performance pay: the case against");
        await page.Context.CloseAsync();

        await using (var conn = await _console.Api.OpenAsync())
            Assert.That(await conn.QueryAsync<string>("SELECT kind || ':' || target_id FROM instruction_link ORDER BY kind"),
                Is.EqualTo(new[] { $"ballot:{ballot}", $"campaign:{campaign}", $"mailing:{mailing}" }));

        // Organisers read the board, without turnout (as in the API) and without the forms.
        using var organiser = await _console.SignedInClient(Roles.Organiser);
        var board = await (await organiser.GetAsync("/instructions?status=all")).Content.ReadAsStringAsync();
        Assert.That(board, Does.Contain("ballot open").And.Not.Contain("% turnout"));
        var motionPage = await (await organiser.GetAsync($"/motions/{motion}")).Content.ReadAsStringAsync();
        Assert.That(motionPage, Does.Contain("The text as amended").And.Not.Contain("Record the card vote").And.Not.Contain("Move the amendment"));
    }

    private async Task<long> Conference()
    {
        await using var conn = await _console.Api.OpenAsync();
        return await conn.ExecuteScalarAsync<long>("SELECT id FROM conference WHERE name = 'Annual Conference 2001'");
    }
}
