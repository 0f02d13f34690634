using System.Diagnostics;
using System.Net;
using System.Net.Http.Json;
using Ballot.Core.Mail;
using Ballot.Core.Staff;
using Ballot.Tests.Infrastructure;
using Dapper;

namespace Ballot.Tests.Mail;

/// <summary>
/// Input that used to get past the checks: addresses MimeKit cannot parse, page numbers that overflow, templates that
/// run or write without end, and the personal unsubscribe link in a proof.
/// </summary>
public sealed class MailInputTests
{
    private ApiHost _api = null!;
    private SmtpTestServer _smtp = null!;
    private WorkerHost _worker = null!;
    private HttpClient _org = null!;
    private HttpClient _exec = null!;

    [OneTimeSetUp]
    public async Task Start()
    {
        _api = await ApiHost.StartAsync();
        await MailTestData.ImportAsync(_api, MemberCsv.Generate(8, schools: 2));
        _smtp = await SmtpTestServer.StartAsync();
        _worker = await WorkerHost.StartAsync(_api.Database.ConnectionString, c =>
        {
            _smtp.AddTo(c);
            c["Mail:JournalFolder"] = Path.Combine(_api.Database.Folder ?? Path.GetTempPath(), "journal-" + Guid.NewGuid().ToString("N")[..8]);
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

    private async Task<long> Draft(string subject, string body, string? replyTo = null)
    {
        var r = await _org.PostAsJsonAsync("/api/mailings", new { subject, bodyMarkdown = body, replyTo });
        await r.AssertStatus(HttpStatusCode.Created);
        return (long)(await r.ReadJson())["id"]!;
    }

    private List<MimeKit.MimeMessage> LettersOf(long id) =>
        _smtp.Messages().Where(m => (m.MessageId ?? "").StartsWith($"m{id}.")).ToList();

    [TestCase("a[b@example.org")]
    [TestCase("x:y@example.org")]
    [TestCase("back\\slash@example.org")]
    public async Task An_address_MimeKit_cannot_parse_is_refused_at_import_member_edit_and_reply_to(string address)
    {
        var csv = MemberCsv.Header + "\n" + $"Q1,Quinn,Quill,{address},School 1,Employer 1,Region 1,teacher\n";
        var import = await (await _org.PostAsync("/api/members/import", Http.Csv(csv))).AssertProblem(HttpStatusCode.BadRequest);
        Assert.That((string?)import["problems"]![0]!["column"], Is.EqualTo("email"));
        await using (var conn = await _api.OpenAsync())
            Assert.That(await conn.ExecuteScalarAsync<long>("SELECT COUNT(*) FROM member WHERE membership_number = 'Q1'"), Is.Zero);

        var patch = await (await _org.PatchAsync("/api/members/M000003", Http.JsonBody($$"""{"email":"{{address.Replace("\\", "\\\\")}}"}"""))).AssertProblem(HttpStatusCode.BadRequest);
        Assert.That(patch["errors"]!["email"], Is.Not.Null);

        var create = await (await _org.PostAsJsonAsync("/api/mailings", new { subject = "Hi", bodyMarkdown = "Hello", replyTo = address })).AssertProblem(HttpStatusCode.BadRequest);
        Assert.That(create["errors"]!["replyTo"], Is.Not.Null);
        var id = await Draft("Hi", "Hello");
        var update = await (await _org.PatchAsJsonAsync($"/api/mailings/{id}", new { replyTo = address })).AssertProblem(HttpStatusCode.BadRequest);
        Assert.That(update["errors"]!["replyTo"], Is.Not.Null);

        await using var check = await _api.OpenAsync();
        Assert.That(await check.ExecuteScalarAsync<string>("SELECT email FROM member WHERE membership_number = 'M000003'"), Is.EqualTo("member3@example.org"));
    }

    [Test]
    public async Task A_letter_that_cannot_be_composed_fails_alone_and_the_mailing_still_finishes()
    {
        // An address stored before validation was as strict as MimeKit: it must not hold up everyone else's letter.
        await using (var conn = await _api.OpenAsync())
            await conn.ExecuteAsync("UPDATE member SET email = 'a[b@example.org' WHERE membership_number = 'M000002'");
        var id = await Draft("Campaign news", "Hello {{ first_name }}");
        await (await _exec.PostAsync($"/api/mailings/{id}/approve", null)).AssertStatus(HttpStatusCode.OK);
        await (await _org.PostAsync($"/api/mailings/{id}/send", Http.JsonBody("{}"))).AssertStatus(HttpStatusCode.OK);
        await MailTestData.WaitForStatus(_api, id, "sent");
        await using (var conn = await _api.OpenAsync())
        {
            var rows = await MailTestData.Recipients(conn, id);
            var bad = rows.Single(r => r.Email == "a[b@example.org");
            Assert.That(bad.State, Is.EqualTo("failed"));
            Assert.That(bad.LastError, Does.StartWith("The letter cannot be composed:"));
            Assert.That(rows.Where(r => r != bad).Select(r => r.State), Is.EqualTo(Enumerable.Repeat("sent", 7)));
            await conn.ExecuteAsync("UPDATE member SET email = 'member2@example.org' WHERE membership_number = 'M000002'");
        }
        Assert.That(LettersOf(id), Has.Count.EqualTo(7));
        var failed = await (await _org.GetAsync($"/api/mailings/{id}/recipients?status=failed")).ReadJson();
        Assert.That((string?)failed["items"]![0]!["lastError"], Does.Contain("cannot be composed"));

        // A reply-to no letter can carry (written by another feature, not through the API) fails every letter, once.
        var statutory = await MailTestData.EnqueueAsync(_api,
            new NewMailing("statutory", "Notice", "Dear {{ first_name }}", "x:y@example.org", null, null, "notice", _api.Clock.GetUtcNow()),
            "m.membership_number IN ('M000001', 'M000004')");
        await MailTestData.WaitForStatus(_api, statutory, "sent");
        await using (var conn = await _api.OpenAsync())
            Assert.That((await MailTestData.Recipients(conn, statutory)).Select(r => (r.State, r.Attempts)), Is.All.EqualTo(("failed", 1)));
        Assert.That(LettersOf(statutory), Is.Empty);
    }

    [Test]
    public async Task A_page_number_past_the_cap_is_refused_rather_than_wrapping_round()
    {
        var id = await Draft("Paging", "Hello");
        foreach (var url in new[]
                 {
                     "/api/members?page=2147483647&pageSize=500", "/api/workplaces?page=2147483647&pageSize=500",
                     "/api/mailings?page=2147483647&pageSize=500", $"/api/mailings/{id}/recipients?page=2147483647&pageSize=500",
                     "/api/members?page=1000001",
                 })
        {
            var problem = await (await _org.GetAsync(url)).AssertProblem(HttpStatusCode.BadRequest);
            Assert.That((string?)problem["errors"]!["page"]![0], Does.Contain("between 1 and 1000000"), url);
        }
        var last = await (await (await _org.GetAsync("/api/members?page=1000000&pageSize=1000")).AssertStatus(HttpStatusCode.OK)).ReadJson();
        Assert.That(last["items"]!.AsArray(), Is.Empty);
        Assert.That((long?)last["total"], Is.EqualTo(8));
    }

    [Test]
    public async Task A_template_that_writes_too_much_is_refused_on_the_body()
    {
        var line = new string('x', 200);
        var body = "{% for i in (1..9000) %}" + line + "{% endfor %}"; // 1.8 million characters
        var problem = await (await _org.PostAsJsonAsync("/api/mailings", new { subject = "Big", bodyMarkdown = body })).AssertProblem(HttpStatusCode.BadRequest);
        Assert.That((string?)problem["errors"]!["bodyMarkdown"]![0], Does.Contain("cannot be filled in"));
        // Under the cap it is fine.
        await Draft("Not so big", "{% for i in (1..900) %}" + line + "{% endfor %}");
    }

    [Test]
    public async Task A_template_of_nested_loops_that_would_run_for_minutes_is_refused_within_the_budget()
    {
        // Each nest stays under the loop limit; two thousand of them in a row are ~20 million iterations.
        var nest = "{% for a in (1..99) %}{% for b in (1..99) %}{% assign c = a | times: b %}{% endfor %}{% endfor %}\n";
        var body = string.Concat(Enumerable.Repeat(nest, 190_000 / nest.Length));
        var watch = Stopwatch.StartNew();
        var problem = await (await _org.PostAsJsonAsync("/api/mailings", new { subject = "Slow", bodyMarkdown = body })).AssertProblem(HttpStatusCode.BadRequest);
        watch.Stop();
        Assert.That((string?)problem["errors"]!["bodyMarkdown"]![0], Does.Contain("take too long"));
        Assert.That(watch.Elapsed, Is.LessThan(TimeSpan.FromSeconds(10)));
    }

    [Test]
    public async Task A_test_copy_carries_a_sample_unsubscribe_link_that_unsubscribes_nobody()
    {
        var id = await Draft("Proof", "Hello {{ first_name }}");
        var test = await (await _org.PostAsJsonAsync($"/api/mailings/{id}/test", new { email = "proof@union.example", member = "M000005" })).AssertStatus(HttpStatusCode.Accepted);
        var testId = (long)(await test.ReadJson())["testMailingId"]!;
        await MailTestData.WaitForStatus(_api, testId, "sent");
        var proof = _smtp.Messages().Single(m => m.To.Mailboxes.Single().Address == "proof@union.example");
        Assert.That(proof.TextBody, Does.Contain("Hello First5"));
        var links = new[] { (proof.Headers["List-Unsubscribe"] ?? "").Trim('<', '>') }
            .Concat(System.Text.RegularExpressions.Regex.Matches(proof.TextBody + proof.HtmlBody, @"https?://[^\s""<>]+/unsubscribe/[^\s""<>]+").Select(m => m.Value))
            .Distinct().ToList();
        Assert.That(links, Is.Not.Empty);
        foreach (var link in links)
        {
            var path = new Uri(link).AbsolutePath;
            var click = await _api.Client.PostAsync(path, new FormUrlEncodedContent([new("List-Unsubscribe", "One-Click")]));
            Assert.That(click.IsSuccessStatusCode, Is.False, link);
        }
        var preview = await (await _org.GetAsync($"/api/mailings/{id}/preview?member=M000005")).ReadJson();
        var previewPath = new Uri(((string)preview["headers"]!["List-Unsubscribe"]!).Trim('<', '>')).AbsolutePath;
        Assert.That((await _api.Client.PostAsync(previewPath, new FormUrlEncodedContent([new("List-Unsubscribe", "One-Click")]))).IsSuccessStatusCode, Is.False);
        await using var conn = await _api.OpenAsync();
        Assert.That(await conn.ExecuteScalarAsync<long>("SELECT COUNT(*) FROM mail_opt_out"), Is.Zero);
    }
}
