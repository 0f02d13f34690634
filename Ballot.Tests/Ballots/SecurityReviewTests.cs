using System.Net;
using Ballot.Core.Ballots;
using Ballot.Core.Mail;
using Ballot.Core.Staff;
using Ballot.Tests.Infrastructure;
using Dapper;

namespace Ballot.Tests.Ballots;

/// <summary>Issue 11 ("Security review"): flaws 3, 6, 8 and 9, each played as the scenario the review describes.</summary>
public sealed class SecurityReviewTests
{
    private ApiHost _api = null!;
    private BallotKit _kit = null!;

    /// <summary>A workplace name that, under the old single-pass removal of endraw, left "{{ 7*7 }}" live in the result notice.</summary>
    private const string NestedEndraw = "{% endr{% endraw %}aw %}{{ 7*7 }}";

    [SetUp]
    public async Task Start()
    {
        // Logging turned up as an operator chasing a problem would: whatever the API logs at any level is captured.
        _api = await ApiHost.StartAsync(s =>
        {
            s["Logging:LogLevel:Default"] = "Debug";
            s["Logging:LogLevel:Microsoft.AspNetCore"] = "Debug";
            s["Logging:LogLevel:Microsoft.AspNetCore.Hosting.Diagnostics"] = "Debug";
            s["Logging:LogLevel:Microsoft.AspNetCore.Routing"] = "Debug";
        });
        _kit = new BallotKit(_api);
        var csv = MemberCsv.Generate(6, schools: 2).Replace("School 1,", NestedEndraw + ",");
        await _kit.ImportMembers(csv);
    }

    [TearDown]
    public async Task Stop() => await _api.DisposeAsync();

    private async Task<HttpResponseMessage> From(string client, HttpMethod method, string path, HttpContent? content = null)
    {
        using var request = new HttpRequestMessage(method, path) { Content = content };
        request.Headers.Add("X-Forwarded-For", client);
        return await _api.Client.SendAsync(request);
    }

    private static StringContent Vote(string credential) => Http.JsonBody($$"""{"credential":"{{credential}}","answers":{"boycott":"Yes"} }""");

    [Test]
    public async Task Guessing_from_a_schools_shared_address_does_not_stop_its_members_voting()
    {
        var id = await _kit.OpenConsultative();
        const string school = "203.0.113.50";
        // Someone on the school's network tries 30 bad links in a minute (the default budget), then more.
        for (var i = 0; i < 30; i++)
            Assert.That((await From(school, HttpMethod.Post, "/api/votes", Vote($"guess{i:D17}"))).StatusCode, Is.EqualTo(HttpStatusCode.NotFound));
        var blocked = await From(school, HttpMethod.Post, "/api/votes", Vote("guess00000000000000099"));
        await blocked.AssertProblem(HttpStatusCode.TooManyRequests);
        Assert.That(blocked.Headers.RetryAfter, Is.Not.Null);
        var blockedPage = await From(school, HttpMethod.Get, "/vote/guess00000000000000098");
        Assert.That(blockedPage.StatusCode, Is.EqualTo(HttpStatusCode.TooManyRequests));

        // Every member at the school still opens their paper and votes, from the same address, in the same minute.
        var page = await From(school, HttpMethod.Get, "/vote/" + await _kit.Credential(id, "M000001"));
        Assert.That(page.StatusCode, Is.EqualTo(HttpStatusCode.OK));
        Assert.That(await page.Content.ReadAsStringAsync(), Does.Contain("Cast my vote"));
        var form = new FormUrlEncodedContent([new("q:boycott", "Yes"), new("q:timing", "Spring term")]);
        var receipt = await From(school, HttpMethod.Post, "/vote/" + await _kit.Credential(id, "M000001"), form);
        Assert.That(receipt.StatusCode, Is.EqualTo(HttpStatusCode.OK));
        Assert.That(await receipt.Content.ReadAsStringAsync(), Does.Contain("Your vote is recorded"));
        for (var m = 2; m <= 6; m++)
            await (await From(school, HttpMethod.Post, "/api/votes", Vote(await _kit.Credential(id, $"M{m:D6}")))).AssertStatus(HttpStatusCode.Created);
        // A used link is still recognised (409), not refused as a guess.
        await (await From(school, HttpMethod.Post, "/api/votes", Vote(await _kit.Credential(id, "M000002")))).AssertProblem(HttpStatusCode.Conflict);
        // Guessing stays refused.
        await (await From(school, HttpMethod.Post, "/api/votes", Vote("guess00000000000000097"))).AssertProblem(HttpStatusCode.TooManyRequests);

        Assert.That(await _kit.Scalar<long>("SELECT SUM(voted) FROM ballot_elector WHERE ballot_id = @id", new { id }), Is.EqualTo(6));
        Assert.That(await _kit.Scalar<long>("SELECT COUNT(*) FROM ballot_paper WHERE ballot_id = @id", new { id }), Is.EqualTo(6));
    }

    [Test]
    public async Task The_api_logs_never_hold_a_voting_credential_or_an_unsubscribe_token()
    {
        var id = await _kit.OpenConsultative();
        var secrets = new List<string>();
        for (var m = 1; m <= 3; m++) secrets.Add(await _kit.Credential(id, $"M{m:D6}"));
        await _api.Client.GetAsync("/vote/" + secrets[0]);
        await _api.Client.PostAsync("/vote/" + secrets[0], new FormUrlEncodedContent([new("q:boycott", "No")]));
        await _api.Client.PostAsync("/vote/" + secrets[1], new StringContent("not a form", System.Text.Encoding.UTF8, "multipart/form-data"));
        await _kit.Vote(secrets[2], """{"boycott":"Yes"}""");
        await _kit.Vote(secrets[2], """{"boycott":"Yes"}""");
        await _kit.Vote(secrets[1], """{"nonsense":"Yes"}""");
        await _api.Client.GetAsync("/vote/" + secrets[1] + "?x=1");
        var keys = _api.App.Services.GetRequiredService<MailKeys>();
        await keys.LoadAsync();
        var token = keys.UnsubscribeToken(await _kit.MemberId("M000004"));
        secrets.Add(token);
        await _api.Client.GetAsync("/unsubscribe/" + token);
        await _api.Client.PostAsync("/unsubscribe/" + token, null);

        Assert.That(_api.Logs.Lines, Is.Not.Empty);
        Assert.That(_api.Logs.All, Does.Contain("/vote/{credential}"), "requests are logged by route template");
        foreach (var secret in secrets)
        {
            Assert.That(_api.Logs.All, Does.Not.Contain(secret));
            Assert.That(_api.Logs.All, Does.Not.Contain(Credentials.Hash(secret)), "nor the stored hash that finds the elector");
        }
    }

    [Test]
    public async Task A_workplace_named_with_a_nested_endraw_is_printed_as_written_and_certification_succeeds()
    {
        var id = await _kit.OpenConsultative(counting: "per-workplace");
        await _kit.VoteOk(id, "M000001", """{"boycott":"Yes","timing":"Autumn term"}""");
        await _kit.VoteOk(id, "M000002", """{"boycott":"No","timing":"Not at all"}""");
        using var exec = await _api.ClientFor(Roles.Executive);
        await _kit.CloseAndCount(id);
        using var scrutineer = await _api.ClientFor(Roles.Scrutineer);
        await (await scrutineer.PostAsync($"/api/ballots/{id}/certify", null)).AssertStatus(HttpStatusCode.OK);
        Assert.That(await _kit.Scalar<string>("SELECT status FROM ballot WHERE id = @id", new { id }), Is.EqualTo("certified"));

        await using var conn = await _api.OpenAsync();
        var (subject, body) = await conn.QuerySingleAsync<(string, string)>(
            "SELECT subject, body_markdown FROM mailing WHERE source = 'ballot' AND source_id = @id AND purpose = 'result-notice'", new { id });
        var letter = LetterTemplate.Compile(subject, body).Render(
            new LetterRecipient { MemberId = 1, MembershipNumber = "M000001", FirstName = "Ann", Email = "ann@example.org" }, new MailOptions(), null, null);
        Assert.That(letter.Text, Does.Contain(NestedEndraw), "the workplace is printed exactly as it is in the register");
        Assert.That(letter.Text, Does.Not.Contain("49"));

        // Whatever the text, it renders as itself: braces, percent signs, every spelling of endraw, split or nested.
        string[] hostile =
        [
            NestedEndraw, "{% endraw %}", "{%- endraw -%}{{ 1 }}", "{{", "{", "}", "{%", "%}", "{{ '{' }}", "{% raw %}{% endraw %}",
            "a{b}c{{d}}e{%f%}g", "{{{{}}}}", "{% endr{% endr{% endraw %}aw %}aw %}{{ member.email }}", "100% {{ union_name }}",
        ];
        foreach (var text in hostile)
        {
            var t = LetterTemplate.Compile("s", "<" + Letters.Raw(text) + ">").Render(
                new LetterRecipient { MemberId = 1, MembershipNumber = "M1", Email = "ann@example.org" }, new MailOptions(), null, null);
            Assert.That(t.Text, Does.Contain("<" + text + ">").Or.Contain("&lt;" + text + "&gt;"), text);
        }
    }

    [Test]
    public async Task Member_pages_and_api_answers_send_the_security_headers_and_a_draft_is_not_revealed()
    {
        var id = await _kit.OpenConsultative();
        var credential = await _kit.Credential(id, "M000001");
        var keys = _api.App.Services.GetRequiredService<MailKeys>();
        await keys.LoadAsync();
        using var exec = await _api.ClientFor(Roles.Executive);
        var pages = new Dictionary<string, HttpResponseMessage>
        {
            ["voting page"] = await _api.Client.GetAsync("/vote/" + credential),
            ["receipt page"] = await _api.Client.PostAsync("/vote/" + credential, new FormUrlEncodedContent([new("q:boycott", "Yes")])),
            ["invalid link page"] = await _api.Client.GetAsync("/vote/AAAAAAAAAAAAAAAAAAAAAA"),
            ["unsubscribe page"] = await _api.Client.GetAsync("/unsubscribe/" + keys.UnsubscribeToken(await _kit.MemberId("M000002"))),
        };
        foreach (var (name, response) in pages)
        {
            var html = await response.Content.ReadAsStringAsync();
            Assert.That(response.Content.Headers.ContentType?.MediaType, Is.EqualTo("text/html"), name);
            var csp = string.Join(";", response.Headers.GetValues("Content-Security-Policy"));
            Assert.That(csp, Does.Contain("frame-ancestors 'none'").And.Not.Contain("unsafe-inline"), name);
            var nonce = System.Text.RegularExpressions.Regex.Match(csp, "'nonce-([^']+)'").Groups[1].Value;
            Assert.That(nonce, Has.Length.GreaterThanOrEqualTo(16), name);
            // Every inline style or script the page has carries this response's nonce, so the policy lets it run.
            foreach (System.Text.RegularExpressions.Match tag in System.Text.RegularExpressions.Regex.Matches(html, "<(style|script)\\b[^>]*>"))
                Assert.That(tag.Value, Does.Contain($"nonce=\"{nonce}\""), $"{name}: {tag.Value}");
            AssertCommonHeaders(response, name);
        }

        var json = await exec.GetAsync($"/api/ballots/{id}");
        AssertCommonHeaders(json, "JSON");
        Assert.That(string.Join(";", json.Headers.GetValues("Content-Security-Policy")), Does.Contain("default-src 'none'").And.Contain("frame-ancestors 'none'"));
        AssertCommonHeaders(await _api.Client.GetAsync("/api/ballots/1"), "problem");

        // Over HTTPS (as a TLS-terminating proxy on loopback reports it) the browser is told to stay on HTTPS.
        using var https = new HttpRequestMessage(HttpMethod.Get, "/vote/" + credential);
        https.Headers.Add("X-Forwarded-Proto", "https");
        https.Headers.Host = "ballot.union.example";
        var secure = await _api.Client.SendAsync(https);
        Assert.That(secure.Headers.TryGetValues("Strict-Transport-Security", out var hsts), Is.True);
        Assert.That(string.Join("", hsts!), Does.Contain("max-age="));
        Assert.That((await _api.Client.GetAsync("/vote/" + credential)).Headers.Contains("Strict-Transport-Security"), Is.False, "not over plain HTTP");

        // A draft answers the anonymous result and receipt endpoints exactly as a ballot that does not exist.
        var draft = await _kit.Create(BallotKit.Consultative(_kit.Now.AddDays(1), _kit.Now.AddDays(5)));
        var missing = draft + 1000;
        foreach (var path in new[] { "/api/ballots/{0}/result", "/api/ballots/{0}/receipts/0123456789abcdef", "/api/ballots/{0}/board" })
        {
            var a = await _api.Client.GetAsync(string.Format(path, draft));
            var b = await _api.Client.GetAsync(string.Format(path, missing));
            Assert.That(a.StatusCode, Is.EqualTo(b.StatusCode).And.EqualTo(HttpStatusCode.NotFound), path);
            Assert.That(Comparable(await a.ReadJson(), draft), Is.EqualTo(Comparable(await b.ReadJson(), missing)), path);
        }
        await (await exec.GetAsync($"/api/ballots/{draft}/result")).AssertProblem(HttpStatusCode.Conflict);
    }

    /// <summary>The body with the ballot id (in the path and the detail) and the per-request trace id taken out.</summary>
    private static string Comparable(System.Text.Json.Nodes.JsonNode body, long id)
    {
        body.AsObject().Remove("traceId");
        return body.ToJsonString().Replace($"/ballots/{id}/", "/ballots/{id}/").Replace($"id {id}.", "id {id}.");
    }

    private static void AssertCommonHeaders(HttpResponseMessage response, string name)
    {
        Assert.That(response.Headers.CacheControl?.NoStore, Is.True, name);
        Assert.That(string.Join("", response.Headers.GetValues("Referrer-Policy")), Is.EqualTo("no-referrer"), name);
        Assert.That(string.Join("", response.Headers.GetValues("X-Content-Type-Options")), Is.EqualTo("nosniff"), name);
        Assert.That(response.Headers.Contains("Content-Security-Policy"), Is.True, name);
    }
}
