using System.Buffers.Binary;
using System.Net;
using Ballot.Core.Leaflets;
using Ballot.Core.Staff;
using Ballot.Tests.Ballots;
using Ballot.Tests.Infrastructure;
using Ballot.Tests.Motions;
using Dapper;
using Microsoft.Playwright;

namespace Ballot.Tests.Console;

/// <summary>
/// Leaflets in the browser: an organiser edits a campaign's leaflet and the preview image (drawn by the layout engine
/// onto a raster surface) changes; local contacts, one school's PDF, a bulk job's live progress and its zip. Also
/// every page of issue 13's motions, instructions and leaflets tried with each role and signed out.
/// </summary>
public sealed class LeafletsConsoleTests
{
    private ConsoleFixture _console = null!;
    private string _output = null!;

    [OneTimeSetUp]
    public async Task Start()
    {
        _output = Path.Combine(Path.GetTempPath(), "ballot-leaflets-console-" + Guid.NewGuid().ToString("N"));
        _console = await ConsoleFixture.StartAsync(s => s["Leaflets:OutputFolder"] = _output);
    }

    [OneTimeTearDown]
    public async Task Stop()
    {
        await _console.DisposeAsync();
        if (Directory.Exists(_output)) Directory.Delete(_output, true);
    }

    /// <summary>A PNG's width and height from its IHDR chunk, after checking the signature.</summary>
    private static (int Width, int Height) Png(byte[] bytes)
    {
        Assert.That(bytes[..8], Is.EqualTo(new byte[] { 0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A }), "a PNG signature");
        Assert.That(System.Text.Encoding.ASCII.GetString(bytes, 12, 4), Is.EqualTo("IHDR"));
        using var decoded = SkiaSharp.SKBitmap.Decode(bytes);
        Assert.That(decoded, Is.Not.Null, "the PNG decodes");
        return (BinaryPrimitives.ReadInt32BigEndian(bytes.AsSpan(16)), BinaryPrimitives.ReadInt32BigEndian(bytes.AsSpan(20)));
    }

    [Test]
    public async Task An_organiser_edits_a_leaflet_and_sees_the_preview_change_then_makes_one_schools_pdf_and_a_bulk_zip()
    {
        var api = _console.Api;
        await new BallotKit(api).ImportMembers(MemberCsv.Generate(6, schools: 2));
        long school;
        await using (var conn = await api.OpenAsync())
            school = await conn.ExecuteScalarAsync<long>("SELECT MIN(id) FROM workplace");
        var campaign = await api.Send(new CreateCampaign.Command("Fund our schools", "https://example.org/fund", "Published by the Union, 1 Union Street",
            "#c8102e", null, [new ContentInput("parents", "en", "Fund our schools", "Performance pay takes money and time from your children's classrooms.",
                [new Section("What is happening", "Teachers' pay is being tied to **targets** set without them.")], ["Fund schools adequately"], "Ask your MP to act.")]));

        var page = await _console.SignedInPage(Roles.Organiser);
        await page.GetByRole(AriaRole.Link, new() { Name = "Leaflets" }).ClickAsync();
        await Assertions.Expect(page.Locator("h1")).ToHaveTextAsync("Leaflets");
        await ConsoleFixture.AssertAccessible(page);
        await page.GetByRole(AriaRole.Link, new() { Name = "Fund our schools" }).ClickAsync();
        await ConsoleFixture.AssertAccessible(page);
        await page.GetByRole(AriaRole.Link, new() { Name = "For parents in en: Fund our schools" }).ClickAsync();
        await Assertions.Expect(page.Locator("h1")).ToHaveTextAsync("Leaflet for parents (en)");
        Assert.That(await page.GetByLabel("Headline").InputValueAsync(), Is.EqualTo("Fund our schools"));
        Assert.That(await page.Locator(".error-summary").CountAsync(), Is.Zero);
        await ConsoleFixture.AssertAccessible(page);

        var image = page.Locator("#preview-image");
        var before = await image.GetAttributeAsync("src");
        var first = await (await page.Context.APIRequest.GetAsync(_console.Url(before!))).BodyAsync();
        Assert.That(Png(first), Is.EqualTo((600, 849)), "A4 at 600 pixels wide: 600 × 841.89 / 595.28");
        Assert.That(await page.EvaluateAsync<int>("() => document.getElementById('preview-image').naturalWidth"), Is.EqualTo(600), "the browser shows it");

        await page.GetByLabel("Headline").FillAsync("Fund our schools: stop performance pay");
        var spare = page.Locator("fieldset", new() { HasText = "Section 2 (new, optional)" });
        await spare.GetByLabel("Heading").FillAsync("What you can do");
        await spare.GetByLabel("Text").FillAsync("Come to the parents' meeting, and ask the governors where they stand.\n\n- Sign the petition\n- Talk to your school's rep");
        await page.GetByRole(AriaRole.Button, new() { Name = "Save and update the preview" }).ClickAsync();
        await Assertions.Expect(page.Locator(".notice")).ToHaveTextAsync("Saved. The preview shows the leaflet as it now prints.");
        Assert.That(await page.Locator(".error-summary").CountAsync(), Is.Zero);
        var after = await image.GetAttributeAsync("src");
        Assert.That(after, Is.Not.EqualTo(before), "the image's address changes, so the browser fetches the new one");
        var second = await (await page.Context.APIRequest.GetAsync(_console.Url(after!))).BodyAsync();
        Assert.That(Png(second), Is.EqualTo((600, 849)));
        Assert.That(second, Is.Not.EqualTo(first), "the preview shows the edit");
        Assert.That(second.Length, Is.Not.EqualTo(first.Length));
        await using (var conn = await api.OpenAsync())
        {
            Assert.That(await conn.ExecuteScalarAsync<string>("SELECT headline FROM campaign_content WHERE campaign_id = @Id", new { campaign.Id }),
                Is.EqualTo("Fund our schools: stop performance pay"));
            Assert.That(await conn.ExecuteScalarAsync<string>("SELECT sections_json FROM campaign_content WHERE campaign_id = @Id", new { campaign.Id }),
                Does.Contain("What you can do"));
        }
        await ConsoleFixture.Screenshot(page, "leaflet-editor");

        // A local contact for the school, then its own leaflet.
        await page.GotoAsync(_console.Url("/leaflets/contacts"));
        await page.GetByLabel("School number").FillAsync(school.ToString());
        await page.GetByLabel("Contact's name").FillAsync("Jo Bloggs");
        await page.GetByLabel("Email address").FillAsync("jo.bloggs@example.org");
        await page.GetByRole(AriaRole.Button, new() { Name = "Save the contact" }).ClickAsync();
        await Assertions.Expect(page.Locator("main table")).ToContainTextAsync("Jo Bloggs");
        await ConsoleFixture.AssertAccessible(page);

        await page.GotoAsync(_console.Url($"/leaflets/{campaign.Id}"));
        await page.GetByLabel("School (its name or number)").FillAsync(school.ToString());
        var download = await page.RunAndWaitForDownloadAsync(() => page.GetByRole(AriaRole.Button, new() { Name = "Download the PDF" }).ClickAsync());
        Assert.That(download.SuggestedFilename, Does.StartWith($"{school}-").And.EndWith("-parents-en.pdf"));
        var pdf = await File.ReadAllBytesAsync((await download.PathAsync())!);
        Assert.That(System.Text.Encoding.ASCII.GetString(pdf, 0, 5), Is.EqualTo("%PDF-"));

        // A bulk job: its page shows progress and, once the worker has made the zip, links to it without a reload by hand.
        await page.GetByRole(AriaRole.Button, new() { Name = "Make the leaflets" }).ClickAsync();
        await Assertions.Expect(page.Locator("h1")).ToHaveTextAsync(new System.Text.RegularExpressions.Regex("^Bulk job \\d+$"));
        Assert.That(await page.Locator("#job-status").InnerTextAsync(), Does.StartWith("pending"));
        Assert.That(await page.Locator("progress").CountAsync(), Is.EqualTo(1));
        await ConsoleFixture.AssertAccessible(page);
        var made = await ActivatorUtilities.CreateInstance<BulkLeafletRunner>(api.App.Services).RunDueAsync(CancellationToken.None);
        Assert.That(made, Is.GreaterThan(0));
        var zipLink = page.GetByRole(AriaRole.Link, new() { NameRegex = new System.Text.RegularExpressions.Regex("^Download the zip") });
        await Assertions.Expect(zipLink).ToBeVisibleAsync(new() { Timeout = 15_000 });
        Assert.That(await page.Locator("#job-status").InnerTextAsync(), Does.Contain("done 2 of 2 (100%)"));
        var zip = await page.Context.APIRequest.GetAsync(_console.Url((await zipLink.GetAttributeAsync("href"))!));
        Assert.That(zip.Status, Is.EqualTo(200));
        using (var archive = new System.IO.Compression.ZipArchive(new MemoryStream(await zip.BodyAsync())))
            Assert.That(archive.Entries, Has.Count.EqualTo(2));
        await page.Context.CloseAsync();
    }

    [Test]
    public async Task Every_motions_instructions_and_leaflets_page_answers_each_role_and_the_signed_out_as_its_policy_says()
    {
        var exec = new MotionsClient(await _console.Api.ClientFor(Roles.Executive));
        var conference = await exec.Conference("Access conference", "2026-04-04", "2026-04-07");
        var motion = (long)(await exec.Motion(conference, "Conference instructs the Executive to:\n  1. Write to every member in the summer term 2026.\n", "Access"))["id"]!;
        await exec.Carry(motion);
        long instruction, campaign;
        await using (var conn = await _console.Api.OpenAsync())
            instruction = await conn.ExecuteScalarAsync<long>("SELECT id FROM instruction WHERE motion_id = @motion", new { motion });
        campaign = (await _console.Api.Send(new CreateCampaign.Command("Access campaign", "https://example.org/a", "Published by the Union", "#1d3557", null,
            [new ContentInput("parents", "en", "Headline", "Intro", [], [], "Act now")]))).Id;
        var job = await _console.Api.Send(new StartBulkLeaflets.Command(campaign, "parents", "en", null, null, null));
        var pages = new[]
        {
            "/conferences", $"/conferences/{conference}", $"/conferences/{conference}?handler=decisions", $"/motions/{motion}", "/motions/search?q=member",
            "/instructions", $"/instructions/{instruction}", "/leaflets", $"/leaflets/{campaign}", "/leaflets/contacts",
            $"/leaflets/{campaign}/content/parents/en", $"/leaflets/{campaign}/content/parents/en?handler=preview", $"/leaflets/{campaign}/jobs/{job.Id}",
        };
        using var signedOut = new ConsoleClient(_console.Api.BaseAddress);
        var clients = new Dictionary<string, ConsoleClient>();
        foreach (var role in Roles.All) clients[role] = await _console.SignedInClient(role);
        var failures = new List<string>();
        foreach (var path in pages)
        {
            var anonymous = await signedOut.GetAsync(path);
            if (anonymous.StatusCode != HttpStatusCode.Redirect || !anonymous.Headers.Location!.OriginalString.Contains("returnUrl="))
                failures.Add($"{path} signed out: {(int)anonymous.StatusCode}");
            foreach (var (role, client) in clients)
            {
                var response = await client.GetAsync(path);
                var expected = role == Roles.Scrutineer ? HttpStatusCode.Forbidden : HttpStatusCode.OK;
                if (response.StatusCode != expected) failures.Add($"{path} as {role}: {(int)response.StatusCode}, expected {(int)expected}");
            }
        }
        // An organiser may read motions and instructions but not record them: the Executive's forms answer 403 and change nothing.
        var organiser = clients[Roles.Organiser];
        var forged = await organiser.PostAsync($"/motions/{motion}?handler=status", new() { ["status"] = "withdrawn" }, tokenFrom: $"/motions/{motion}");
        if (forged.StatusCode != HttpStatusCode.Forbidden) failures.Add($"organiser's status change: {(int)forged.StatusCode}");
        var link = await organiser.PostAsync($"/instructions/{instruction}?handler=link", new() { ["target"] = $"campaign:{campaign}" }, tokenFrom: $"/instructions/{instruction}");
        if (link.StatusCode != HttpStatusCode.Forbidden) failures.Add($"organiser's link: {(int)link.StatusCode}");
        var import = await organiser.PostAsync($"/conferences/{conference}?handler=import", new() { ["body"] = "Title\n\nText" }, tokenFrom: $"/conferences/{conference}");
        if (import.StatusCode != HttpStatusCode.Forbidden) failures.Add($"organiser's import: {(int)import.StatusCode}");
        foreach (var c in clients.Values) c.Dispose();
        Assert.That(failures, Is.Empty);
        await using var db = await _console.Api.OpenAsync();
        Assert.That(await db.ExecuteScalarAsync<string>("SELECT status FROM motion WHERE id = @motion", new { motion }), Is.EqualTo("carried"));
        Assert.That(await db.ExecuteScalarAsync<long>("SELECT COUNT(*) FROM instruction_link"), Is.Zero);
        Assert.That(await db.ExecuteScalarAsync<long>("SELECT COUNT(*) FROM motion WHERE conference_id = @conference", new { conference }), Is.EqualTo(1));
    }
}
