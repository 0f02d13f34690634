using System.Globalization;
using System.Net;
using Ballot.Core.Ballots;
using Ballot.Core.Staff;
using Ballot.Tests.Console;
using Ballot.Tests.Infrastructure;
using Dapper;
using UglyToad.PdfPig;

namespace Ballot.Tests.Ballots;

/// <summary>
/// Issue 16, after a mandate: each employer's s.234A notice of industrial action with the first day action may start
/// (10 days after the notice under ERA 2025 rules, 14 under TUA 2016), and the home page's warning from 30 days before
/// the mandate ends. One API, database and browser for the class; the clock moves forward through both rule sets.
/// </summary>
public sealed class MandateTests
{
    private ConsoleFixture _console = null!;
    private BallotKit _kit = null!;

    [OneTimeSetUp]
    public async Task Start()
    {
        _console = await ConsoleFixture.StartAsync();
        _kit = new BallotKit(_console.Api);
        _console.Api.Clock.AdjustTime(new DateTimeOffset(2026, 1, 5, 9, 0, 0, TimeSpan.Zero));
        // 7 members over 4 schools: Employer 0 = School 0 (M4) and School 3 (M3, M7); Employer 1 = School 1 (M1, M5).
        await _kit.ImportMembers(MemberCsv.Generate(7, schools: 4));
        await _console.Account(Roles.Organiser);
    }

    [OneTimeTearDown]
    public async Task Stop() => await _console.DisposeAsync();

    private static string Day(DateOnly d) => d.ToString("dddd d MMMM yyyy", CultureInfo.GetCultureInfo("en-GB"));

    private async Task<string> PdfText(HttpClient exec, long id, string employer)
    {
        var bytes = await (await (await exec.GetAsync($"/api/ballots/{id}/notices/action-notice.pdf?employer={Uri.EscapeDataString(employer)}"))
            .AssertStatus(HttpStatusCode.OK)).Content.ReadAsByteArrayAsync();
        using var pdf = PdfDocument.Open(bytes);
        return string.Join(" ", pdf.GetPages().SelectMany(p => p.GetWords()).Select(w => w.Text));
    }

    /// <summary>The home page's "Mandates ending soon" panel as the organiser sees it; empty when there is none.</summary>
    private async Task<string> Warning()
    {
        using var organiser = await _console.SignedInClient(Roles.Organiser);
        var html = await (await organiser.GetAsync("/")).Content.ReadAsStringAsync();
        var at = html.IndexOf("id=\"expiring-mandates\"", StringComparison.Ordinal);
        return at < 0 ? "" : html[at..html.IndexOf("</div>", at, StringComparison.Ordinal)];
    }

    private async Task Mandate(DateTimeOffset opens, string ruleSet, int noticeDays, int months)
    {
        var api = _console.Api;
        api.Clock.AdjustTime(opens);
        var id = await _kit.OpenIndustrialAction(ips: false);
        // 5 of 7 vote Yes: written straight to the tables, as in CountingTests (the vote path has its own tests).
        await using (var conn = await api.OpenAsync())
        await using (var tx = await api.Db.BeginWriteAsync(conn))
        {
            var hashes = (await conn.QueryAsync<string>("SELECT credential_hash FROM ballot_elector WHERE ballot_id = @id ORDER BY member_id LIMIT 5", new { id }, tx)).ToList();
            await conn.ExecuteAsync("UPDATE ballot_elector SET voted = 1 WHERE credential_hash = @h", hashes.Select(h => new { h }), tx);
            await conn.ExecuteAsync("INSERT INTO ballot_paper (ballot_id, tracker, constituency, sealed) VALUES (@id, @t, 'all', @s)",
                hashes.Select(_ => TestPapers.Cheap([3, 3], [0, 0])).Select(p => new { id, t = p.Tracker, s = p.Sealed }), tx);
            await tx.CommitAsync();
        }
        api.Clock.Advance(TimeSpan.FromDays(15));
        Assert.That((await _kit.RunWorker()).Closed, Is.EqualTo(1));
        using var scrut = await api.ClientFor(Roles.Scrutineer);
        await (await scrut.PostAsync($"/api/ballots/{id}/certify", null)).AssertStatus(HttpStatusCode.OK);
        using var exec = await api.ClientFor(Roles.Executive);
        var result = (await (await (await exec.GetAsync($"/api/ballots/{id}/result")).AssertStatus(HttpStatusCode.OK)).ReadJson())["result"]!;
        var expires = DateOnly.FromDateTime(opens.UtcDateTime.Date).AddDays(14).AddMonths(months).AddDays(-1);
        Assert.That(((string)result["ruleSet"]!, (bool)result["mandate"]!, (string)result["mandateExpires"]!), Is.EqualTo((ruleSet, true, expires.ToString("yyyy-MM-dd"))));

        // Employer 0's notice, given today: the first day action may start is noticeDays later; Employer 1 has none yet.
        var today = DateOnly.FromDateTime(_kit.Now.UtcDateTime.Date);
        var starts = today.AddDays(noticeDays);
        var notices = await (await (await exec.PostAsync($"/api/ballots/{id}/notices", Http.JsonBody("""{"employer":"Employer 0","kind":"action-notice"}""")))
            .AssertStatus(HttpStatusCode.OK)).ReadJson();
        var mayStart = notices["employers"]!.AsArray().ToDictionary(e => (string)e!["figures"]!["employer"]!, e => (string?)e!["actionMayStart"]);
        Assert.That(mayStart, Is.EqualTo(new Dictionary<string, string?> { ["Employer 0"] = starts.ToString("yyyy-MM-dd"), ["Employer 1"] = null, ["Employer 2"] = null }));

        // Each employer's PDF lists exactly its own workplaces and total; TUA 2016 also wants the numbers per workplace.
        var zero = await PdfText(exec, id, "Employer 0");
        Assert.That(zero, Does.Contain("Notice of industrial action").And.Contain("To: Employer 0").And.Contain($"Date: {Day(today)}")
            .And.Contain($"The first day action may start is {Day(starts)}: {noticeDays} days after this notice")
            .And.Contain("School 0").And.Contain("School 3").And.Not.Contain("School 1").And.Not.Contain("School 2").And.Contain("Total: 3")
            .And.Contain($"The ballot's mandate lasts until {Day(expires)}"));
        var one = await PdfText(exec, id, "Employer 1");
        Assert.That(one, Does.Contain("To: Employer 1").And.Contain("School 1").And.Not.Contain("School 0").And.Not.Contain("School 3").And.Contain("Total: 2"));
        if (ruleSet == "tua-2016") Assert.That(zero, Does.Contain("School 3: 2").And.Contain("School 0: 1"));
        else Assert.That(zero, Does.Not.Contain("School 3: 2"));

        // The home page warns from 30 days before the mandate ends, not 31.
        api.Clock.AdjustTime(new DateTimeOffset(expires.AddDays(-31).ToDateTime(new TimeOnly(9, 0)), TimeSpan.Zero));
        Assert.That(await Warning(), Does.Not.Contain($"/ballots/{id}\""));
        api.Clock.AdjustTime(new DateTimeOffset(expires.AddDays(-30).ToDateTime(new TimeOnly(9, 0)), TimeSpan.Zero));
        Assert.That(await Warning(), Does.Contain($"/ballots/{id}\"").And.Contain($"ends on {Day(expires)}").And.Contain("(30 days left)"));
        api.Clock.AdjustTime(new DateTimeOffset(expires.AddDays(1).ToDateTime(new TimeOnly(9, 0)), TimeSpan.Zero));
        Assert.That(await Warning(), Does.Not.Contain($"/ballots/{id}\""), "an ended mandate is not warned of");
    }

    [Test]
    public async Task A_mandate_gives_each_employer_its_notice_of_action_and_the_home_page_warns_30_days_before_it_ends()
    {
        await Mandate(new DateTimeOffset(2026, 1, 12, 9, 0, 0, TimeSpan.Zero), "tua-2016", 14, 6);
        await Mandate(new DateTimeOffset(2026, 9, 7, 9, 0, 0, TimeSpan.Zero), "era-2025", 10, 12);
    }
}
