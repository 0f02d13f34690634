using System.Text.RegularExpressions;
using Ballot.Core.Ballots.Papers;
using Ballot.Core.Staff;
using Ballot.Tests.Ballots;
using Ballot.Tests.Infrastructure;
using Dapper;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Playwright;

namespace Ballot.Tests.Console;

/// <summary>The scrutineer's voting-papers page in the browser: a print run with its progress, then a batch of returned papers.</summary>
public sealed class PapersConsoleTests
{
    private ConsoleFixture _console = null!;
    private BallotKit _kit = null!;
    private string _printFolder = null!;

    [OneTimeSetUp]
    public async Task Start()
    {
        _printFolder = Path.Combine(Path.GetTempPath(), "ballot-tests", "print-" + Guid.NewGuid().ToString("N"));
        _console = await ConsoleFixture.StartAsync(s => s["Ballots:PrintFolder"] = _printFolder);
        _kit = new BallotKit(_console.Api);
        await _kit.ImportMembers(MemberCsv.Generate(6, schools: 2));
        await using var conn = await _console.Api.OpenAsync();
        await conn.ExecuteAsync("UPDATE member SET address_line1 = '1 High Street', town = 'Leeds', postcode = 'LS' || id || ' 1AA'");
    }

    [OneTimeTearDown]
    public async Task Stop()
    {
        await _console.DisposeAsync();
        if (Directory.Exists(_printFolder)) Directory.Delete(_printFolder, recursive: true);
    }

    [Test]
    public async Task The_scrutineer_prints_the_papers_and_enters_a_batch_of_returned_ones_seeing_each_receipt_once()
    {
        var id = await _kit.Create(BallotKit.Consultative(_kit.Now, _kit.Now.AddDays(10)).Replace("\"kind\":", "\"votingMethod\":\"hybrid\",\"kind\":"));
        await _kit.Open(id);
        var page = await _console.SignedInPage(Roles.Scrutineer);
        await page.GotoAsync(_console.Url($"/ballots/{id}/papers"));
        await Assertions.Expect(page.Locator("#voting-method")).ToHaveTextAsync("hybrid");
        await page.GetByRole(AriaRole.Button, new() { Name = "Print voting papers" }).ClickAsync();
        await Assertions.Expect(page.Locator(".notice")).ToContainTextAsync("is queued");
        Assert.That(await ActivatorUtilities.CreateInstance<PrintRunner>(_console.Api.App.Services).RunDueAsync(CancellationToken.None), Is.EqualTo(1));
        await page.ReloadAsync();
        await Assertions.Expect(page.Locator("#print-jobs tbody tr").First).ToContainTextAsync("done");
        await Assertions.Expect(page.Locator("#papers-issued")).ToHaveTextAsync("6");
        var download = await page.RunAndWaitForDownloadAsync(() => page.GetByRole(AriaRole.Link, new() { NameRegex = new Regex("^Download run") }).ClickAsync());
        Assert.That(download.SuggestedFilename, Does.EndWith(".zip"));

        // Too many answers on a line: the message says which line, and nothing is entered.
        await page.GetByLabel("Returned papers").FillAsync("000001, Yes, Autumn term, Maybe");
        await page.GetByRole(AriaRole.Button, new() { Name = "Enter these papers" }).ClickAsync();
        await Assertions.Expect(page.Locator(".error-summary")).ToContainTextAsync("Line 1 has 3 answers");
        await page.GetByLabel("Returned papers").FillAsync("000001, Yes, Autumn term\n000002, ,\n000001, No, Not at all");
        await page.GetByRole(AriaRole.Button, new() { Name = "Enter these papers" }).ClickAsync();
        var rows = page.Locator("#entered tbody tr");
        await Assertions.Expect(rows).ToHaveCountAsync(3);
        Assert.That(await rows.Nth(0).InnerTextAsync(), Does.Contain("is counted").And.Match("[0-9a-f]{8}(-[0-9a-f]{8}){7}"));
        Assert.That(await rows.Nth(2).InnerTextAsync(), Does.Contain("already entered"));
        await Assertions.Expect(page.Locator("#papers-counted")).ToHaveTextAsync("2");
        Assert.That(await _kit.Scalar<long>("SELECT COUNT(*) FROM ballot_paper WHERE ballot_id = @id", new { id }), Is.EqualTo(2));
        await ConsoleFixture.AssertAccessible(page);
        await ConsoleFixture.Screenshot(page, "ballot-papers");

        // Reloading shows the reconciliation, never the receipts again.
        await page.GotoAsync(_console.Url($"/ballots/{id}/papers"));
        Assert.That(await page.Locator("#entered").CountAsync(), Is.Zero);
        await page.Context.CloseAsync();
    }
}
