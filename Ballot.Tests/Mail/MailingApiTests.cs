using System.Net;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using Ballot.Core.Mail;
using Ballot.Core.Staff;
using Ballot.Tests.Infrastructure;
using Dapper;

namespace Ballot.Tests.Mail;

/// <summary>An organiser writes, previews, tests, has approved, sends and watches a mailing; members unsubscribe.</summary>
public sealed class MailingApiTests
{
    private ApiHost _api = null!;
    private SmtpTestServer _smtp = null!;
    private WorkerHost _worker = null!;
    private HttpClient _org = null!;
    private HttpClient _exec = null!;

    [OneTimeSetUp]
    public async Task Start()
    {
        _api = await ApiHost.StartAsync(c => c["Mail:UnionName"] = "National Union of Teachers");
        // 20 members over two regions, plus one address the server refuses.
        await MailTestData.ImportAsync(_api, MailTestData.Register(20, "reject.api"));
        _smtp = await SmtpTestServer.StartAsync();
        _worker = await WorkerHost.StartAsync(_api.Database.ConnectionString, c =>
        {
            _smtp.AddTo(c);
            c["Mail:JournalFolder"] = Path.Combine(_api.Database.Folder!, "journal");
        });
        _org = await _api.ClientFor(Roles.Organiser);
        _exec = await _api.ClientFor(Roles.Executive);
    }

    [OneTimeTearDown]
    public async Task Stop()
    {
        _org.Dispose();
        _exec.Dispose();
        await _worker.DisposeAsync();
        await _smtp.DisposeAsync();
        await _api.DisposeAsync();
    }

    private async Task<long> Draft(string subject, string body, object? audience = null)
    {
        var r = await _org.PostAsJsonAsync("/api/mailings", new { subject, bodyMarkdown = body, replyTo = "organiser@union.example", audience });
        await r.AssertStatus(HttpStatusCode.Created);
        return (long)(await r.ReadJson())["id"]!;
    }

    private async Task<JsonNode> WaitUntil(long id, string status)
    {
        await MailTestData.WaitForStatus(_api, id, status);
        return await (await _org.GetAsync($"/api/mailings/{id}")).ReadJson();
    }

    private List<MimeKit.MimeMessage> LettersOf(long id) =>
        _smtp.Messages().Where(m => (m.MessageId ?? "").StartsWith($"m{id}.")).ToList();

    [Test]
    public async Task Organiser_writes_previews_tests_gets_approval_sends_and_watches_a_mailing_finish()
    {
        var id = await Draft("Why we oppose the scheme", "Dear {{ first_name }},\n\nAt {{ workplace }} we **oppose** it.", new { regions = new[] { "Region 1" } });
        var draft = await (await _org.GetAsync($"/api/mailings/{id}")).ReadJson();
        Assert.That((string?)draft["status"], Is.EqualTo("draft"));
        Assert.That((long?)draft["audienceSize"], Is.EqualTo(11), "Region 1: the 10 odd-numbered schools' members plus the special address");

        var edited = await _org.PatchAsJsonAsync($"/api/mailings/{id}", new { subject = "Why we oppose the scheme, {{ first_name }}" });
        await edited.AssertStatus(HttpStatusCode.OK);

        var preview = await (await _org.GetAsync($"/api/mailings/{id}/preview?member=M000001")).AssertStatus(HttpStatusCode.OK);
        var p = await preview.ReadJson();
        Assert.That((string?)p["subject"], Is.EqualTo("Why we oppose the scheme, First1"));
        Assert.That((string?)p["html"], Does.Contain("At School 1 we <strong>oppose</strong> it."));
        Assert.That((string?)p["text"], Does.Contain("At School 1 we oppose it."));
        Assert.That((string?)p["text"], Does.Contain("National Union of Teachers"));
        Assert.That((string?)p["headers"]!["List-Unsubscribe-Post"], Is.EqualTo("List-Unsubscribe=One-Click"));

        var test = await _org.PostAsJsonAsync($"/api/mailings/{id}/test", new { email = "proof.reader@union.example" });
        await test.AssertStatus(HttpStatusCode.Accepted);
        var testId = (long)(await test.ReadJson())["testMailingId"]!;
        await MailTestData.WaitForStatus(_api, testId, "sent");
        var proof = _smtp.Messages().Single(m => m.To.Mailboxes.Single().Address == "proof.reader@union.example");
        Assert.That(proof.Subject, Does.StartWith("[TEST] Why we oppose the scheme, "));

        await (await _org.PostAsync($"/api/mailings/{id}/send", Http.JsonBody("{}"))).AssertProblem(HttpStatusCode.Conflict);
        await (await _org.PostAsync($"/api/mailings/{id}/approve", null)).AssertProblem(HttpStatusCode.Forbidden);
        var approved = await (await (await _exec.PostAsync($"/api/mailings/{id}/approve", null)).AssertStatus(HttpStatusCode.OK)).ReadJson();
        Assert.That((string?)approved["status"], Is.EqualTo("approved"));
        Assert.That((string?)approved["approvedBy"], Does.Contain("executive"));
        await (await _org.PatchAsJsonAsync($"/api/mailings/{id}", new { subject = "changed" })).AssertProblem(HttpStatusCode.Conflict);

        var sent = await (await (await _org.PostAsync($"/api/mailings/{id}/send", Http.JsonBody("{}"))).AssertStatus(HttpStatusCode.OK)).ReadJson();
        Assert.That((string?)sent["status"], Is.AnyOf("scheduled", "sending"));
        Assert.That((long?)sent["progress"]!["recipients"], Is.EqualTo(11));

        var done = await WaitUntil(id, "sent");
        Assert.That((long?)done["progress"]!["sent"], Is.EqualTo(10));
        Assert.That((long?)done["progress"]!["failed"], Is.EqualTo(1));
        Assert.That((long?)done["progress"]!["pending"], Is.EqualTo(0));
        var failed = await (await _org.GetAsync($"/api/mailings/{id}/recipients?status=failed")).ReadJson();
        Assert.That((string?)failed["items"]![0]!["email"], Is.EqualTo("reject.api@example.org"));
        Assert.That((string?)failed["items"]![0]!["lastError"], Does.StartWith("550"));

        var letters = LettersOf(id);
        Assert.That(letters, Has.Count.EqualTo(10));
        Assert.That(letters.Select(l => l.To.Mailboxes.Single().Address), Has.None.EqualTo("member2@example.org"), "Region 0 is not in the audience");
        var list = await (await _org.GetAsync("/api/mailings")).ReadJson();
        Assert.That(list["items"]!.AsArray().Select(i => (long)i!["id"]!), Does.Contain(id).And.Not.Contain(testId));
    }

    [Test]
    public async Task An_unsubscribed_member_gets_no_more_campaign_mail_but_still_gets_statutory_mail()
    {
        var first = await Draft("First letter", "Hello {{ first_name }}", new { workplaceIds = Array.Empty<long>(), categories = new[] { "teacher" } });
        await _exec.PostAsync($"/api/mailings/{first}/approve", null);
        await _org.PostAsync($"/api/mailings/{first}/send", null);
        await WaitUntil(first, "sent");
        var letter = LettersOf(first).Single(l => l.To.Mailboxes.Single().Address == "member4@example.org");
        var link = (letter.Headers["List-Unsubscribe"] ?? "").Trim('<', '>');
        var path = new Uri(link).AbsolutePath;

        var page = await _api.Client.GetAsync(path);
        await page.AssertStatus(HttpStatusCode.OK);
        Assert.That(await page.Content.ReadAsStringAsync(), Does.Contain("<form method=\"post\"").And.Contain("National Union of Teachers"));
        // RFC 8058 one-click, as a mail client sends it.
        var click = await _api.Client.PostAsync(path, new FormUrlEncodedContent([new("List-Unsubscribe", "One-Click")]));
        await click.AssertStatus(HttpStatusCode.OK);
        Assert.That(await (await _api.Client.GetAsync(path)).Content.ReadAsStringAsync(), Does.Contain("You are unsubscribed"));
        await (await _api.Client.GetAsync(path[..^3] + "xyz")).AssertStatus(HttpStatusCode.NotFound);

        var second = await Draft("Second letter", "Hello again {{ first_name }}");
        await _exec.PostAsync($"/api/mailings/{second}/approve", null);
        await _org.PostAsync($"/api/mailings/{second}/send", null);
        var done = await WaitUntil(second, "sent");
        Assert.That(LettersOf(second).Select(l => l.To.Mailboxes.Single().Address), Has.None.EqualTo("member4@example.org"));
        Assert.That((long?)done["progress"]!["cancelled"], Is.EqualTo(1));

        var statutory = await MailTestData.EnqueueAsync(_api, new NewMailing("statutory", "Your ballot paper", "Vote, {{ first_name }}", null, null, null, "voting-letter", _api.Clock.GetUtcNow()),
            "m.membership_number = 'M000004'");
        await MailTestData.WaitForStatus(_api, statutory, "sent");
        Assert.That(LettersOf(statutory).Single().To.Mailboxes.Single().Address, Is.EqualTo("member4@example.org"));
    }

    [Test]
    public async Task A_mailing_scheduled_for_later_can_be_cancelled_and_nothing_is_sent()
    {
        var id = await Draft("Later", "Later {{ first_name }}");
        await _exec.PostAsync($"/api/mailings/{id}/approve", null);
        var at = _api.Clock.GetUtcNow().AddYears(5);
        var scheduled = await (await (await _org.PostAsJsonAsync($"/api/mailings/{id}/send", new { at })).AssertStatus(HttpStatusCode.OK)).ReadJson();
        Assert.That((string?)scheduled["status"], Is.EqualTo("scheduled"));
        var cancelled = await (await (await _org.PostAsync($"/api/mailings/{id}/cancel", null)).AssertStatus(HttpStatusCode.OK)).ReadJson();
        Assert.That((string?)cancelled["status"], Is.EqualTo("cancelled"));
        Assert.That((long?)cancelled["progress"]!["cancelled"], Is.EqualTo(21));
        await (await _org.PostAsync($"/api/mailings/{id}/cancel", null)).AssertProblem(HttpStatusCode.Conflict);
        await Task.Delay(1500);
        Assert.That(LettersOf(id), Is.Empty);
    }

    [Test]
    public async Task Templates_are_checked_when_written_and_cannot_reach_beyond_their_fields()
    {
        var bad = await _org.PostAsJsonAsync("/api/mailings", new { subject = "Hi", bodyMarkdown = "Dear {{ first_name " });
        var problem = await bad.AssertProblem(HttpStatusCode.BadRequest);
        Assert.That(problem["errors"]!["bodyMarkdown"], Is.Not.Null);
        var include = await _org.PostAsJsonAsync("/api/mailings", new { subject = "Hi", bodyMarkdown = "{% include '/etc/passwd' %}" });
        await include.AssertProblem(HttpStatusCode.BadRequest);

        var id = await Draft("Probe", "a{{ member.GetType }}/{{ environment }}/{{ member.first_name.size }}/{{ union.name | upcase }}");
        var p = await (await _org.GetAsync($"/api/mailings/{id}/preview?member=M000007")).ReadJson();
        Assert.That((string?)p["text"], Does.StartWith("a//6/NATIONAL UNION OF TEACHERS"));
        await (await _org.GetAsync($"/api/mailings/{id}/preview?member=NOPE")).AssertProblem(HttpStatusCode.NotFound);
        await (await _org.PostAsJsonAsync("/api/mailings", new { subject = "x", bodyMarkdown = "y", colour = "red" })).AssertProblem(HttpStatusCode.BadRequest);
    }
}
