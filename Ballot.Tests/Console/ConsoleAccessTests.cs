using System.Net;
using Ballot.Api.StaffConsole;
using Ballot.Core.Staff;
using Dapper;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Mvc.RazorPages;
using Microsoft.AspNetCore.Routing;

namespace Ballot.Tests.Console;

/// <summary>
/// Who may open what, without a browser: every console page (found from the app's own routes, so pages added later
/// are covered) with each role and signed out; forms without their antiforgery token; lockout; disabling.
/// </summary>
public sealed class ConsoleAccessTests
{
    private ConsoleFixture _console = null!;

    [OneTimeSetUp]
    public async Task Start() => _console = await ConsoleFixture.StartAsync();

    [OneTimeTearDown]
    public async Task Stop() => await _console.DisposeAsync();

    private const string SampleMember = "A0001";

    private sealed record PageRoute(string Pattern, string Path, string[]? Roles);

    /// <summary>Each page's path with sample values, and the roles its policies allow (null: anonymous).</summary>
    /// <param name="ballotId">a ballot that exists, for the ballot and result pages' {id}.</param>
    private IReadOnlyList<PageRoute> Pages(long sampleId, long ballotId, long mailingId)
    {
        var endpoints = ((IEndpointRouteBuilder)_console.Api.App).DataSources.SelectMany(d => d.Endpoints).OfType<RouteEndpoint>()
            .Where(e => e.Metadata.GetMetadata<PageActionDescriptor>() is not null);
        var pages = new List<PageRoute>();
        foreach (var e in endpoints)
        {
            var pattern = e.RoutePattern.RawText!;
            var id = pattern.StartsWith("mailings/", StringComparison.Ordinal) ? mailingId
                : pattern.StartsWith("ballots", StringComparison.Ordinal) || pattern.StartsWith("results", StringComparison.Ordinal) ? ballotId : sampleId;
            var path = "/" + string.Join("/", e.RoutePattern.PathSegments.Select(s => string.Concat(s.Parts.Select(p => p switch
            {
                Microsoft.AspNetCore.Routing.Patterns.RoutePatternLiteralPart l => l.Content,
                Microsoft.AspNetCore.Routing.Patterns.RoutePatternParameterPart { Name: "code" } => "404",
                Microsoft.AspNetCore.Routing.Patterns.RoutePatternParameterPart { Name: "token" } => "not-a-real-token-at-all-x",
                Microsoft.AspNetCore.Routing.Patterns.RoutePatternParameterPart { Name: "number" } => SampleMember,
                Microsoft.AspNetCore.Routing.Patterns.RoutePatternParameterPart => id.ToString(),
                _ => "",
            }))));
            if (pattern.EndsWith("preview/html")) path += "?member=" + SampleMember;
            string[]? roles = null;
            if (e.Metadata.GetMetadata<IAllowAnonymous>() is null)
            {
                roles = [.. Roles.All];
                foreach (var a in e.Metadata.GetOrderedMetadata<IAuthorizeData>())
                    roles = [.. roles.Intersect(ConsolePolicies.RolesOf[a.Policy!])];
            }
            pages.Add(new PageRoute(pattern, path, roles));
        }
        return [.. pages.DistinctBy(p => p.Path).OrderBy(p => p.Path)];
    }

    [Test]
    public async Task Every_page_is_refused_to_the_signed_out_and_to_roles_outside_its_policy()
    {
        var executive = await _console.Account(Roles.Executive);
        // A member and a mailing for the register and mailing pages (issue 12) to show, a ballot for the ballot pages.
        await _console.Api.Send(new Ballot.Core.Members.ImportMembers.Command(new MemoryStream(System.Text.Encoding.UTF8.GetBytes(
            $"membership_number,first_name,last_name,email,workplace,employer,region,category\n{SampleMember},Amy,Able,amy@example.org,Able School,Able Council,South,teacher\n")), new Ballot.Core.Staff.StaffActor("token", "0", "Test organiser", "organiser")));
        var mailing = await _console.Api.Send(new Ballot.Core.Mail.CreateMailing.Command("Hello", "Dear {{ first_name }}", null, null, "organiser:test"));
        var ballot = await _console.Api.Send(new Ballot.Core.Ballots.CreateBallot.Command(new Ballot.Core.Ballots.BallotInput("Access check",
            Ballot.Core.Ballots.BallotKind.Consultative, Ballot.Core.Ballots.Counting.Aggregated, _console.Api.Clock.GetUtcNow(), _console.Api.Clock.GetUtcNow().AddDays(7),
            null, null, null, [new("q", "Agree?", ["Yes", "No"])]), "test"));
        var pages = Pages(executive.Id, ballot.Id, mailing.Id);
        Assert.That(pages.Select(p => p.Pattern), Is.SupersetOf(new[] { "", "staff", "staff/invite", "staff/{id:long}", "tokens" }));
        Assert.That(pages.Where(p => p.Roles is { Length: 0 }), Is.Empty, "a page no role may open");

        using var signedOut = new ConsoleClient(_console.Api.BaseAddress);
        var clients = new Dictionary<string, ConsoleClient>();
        foreach (var role in Roles.All) clients[role] = await _console.SignedInClient(role);
        var failures = new List<string>();
        foreach (var page in pages)
        {
            var anonymous = await signedOut.GetAsync(page.Path);
            if (page.Roles is null)
            {
                if ((int)anonymous.StatusCode >= 500) failures.Add($"{page.Path} signed out: {anonymous.StatusCode}");
                continue;
            }
            if (anonymous.StatusCode != HttpStatusCode.Redirect || !new Uri(_console.Api.BaseAddress, anonymous.Headers.Location!).PathAndQuery.StartsWith("/?returnUrl="))
                failures.Add($"{page.Path} signed out: {(int)anonymous.StatusCode} {anonymous.Headers.Location}");
            foreach (var (role, client) in clients)
            {
                var response = await client.GetAsync(page.Path);
                var body = await response.Content.ReadAsStringAsync();
                if (page.Roles.Contains(role))
                {
                {
                    // A page about one record may have no record with the sample id: then its 404 page, never a refusal or a 500.
                    // Such pages are opened with real records by their own tests.
                    var missing = page.Pattern.Contains('{') && response.StatusCode == HttpStatusCode.NotFound;
                    if (response.StatusCode != HttpStatusCode.OK && !missing) failures.Add($"{page.Path} as {role}: {(int)response.StatusCode}, expected 200");
                }
                }
                else if (response.StatusCode != HttpStatusCode.Forbidden || !body.Contains("You do not have access to this page"))
                    failures.Add($"{page.Path} as {role}: {(int)response.StatusCode}, expected the 403 page");
            }
        }
        foreach (var c in clients.Values) c.Dispose();
        Assert.That(failures, Is.Empty);
    }

    [Test]
    public async Task A_form_posted_without_its_antiforgery_token_is_refused_and_changes_nothing()
    {
        using var executive = await _console.SignedInClient(Roles.Executive);
        var refused = await executive.PostAsync("/staff/invite", new() { ["name"] = "Forged Invite", ["email"] = "forged@example.org", ["role"] = "executive" });
        Assert.That(refused.StatusCode, Is.EqualTo(HttpStatusCode.BadRequest));
        Assert.That(await refused.Content.ReadAsStringAsync(), Does.Contain("The form could not be sent").And.Not.Contain("Exception"));
        await using (var conn = await _console.Api.OpenAsync())
            Assert.That(await conn.ExecuteScalarAsync<long>("SELECT COUNT(*) FROM staff_account WHERE email = 'forged@example.org'"), Is.Zero);

        // The same form with its token goes through, so the refusal above was the token's doing.
        var accepted = await executive.PostAsync("/staff/invite", new() { ["name"] = "Real Invite", ["email"] = "real@example.org", ["role"] = "organiser" },
            tokenFrom: "/staff/invite");
        Assert.That(accepted.StatusCode, Is.EqualTo(HttpStatusCode.Redirect));

        using var anonymous = new ConsoleClient(_console.Api.BaseAddress);
        var signIn = await anonymous.PostAsync("/", new() { ["email"] = "executive@example.org", ["password"] = ConsoleFixture.Password });
        Assert.That(signIn.StatusCode, Is.EqualTo(HttpStatusCode.BadRequest), "sign-in without a token (login CSRF) is refused too");
    }

    [Test]
    public async Task An_account_locks_after_repeated_failures_and_no_answer_says_whether_an_email_has_an_account()
    {
        var login = await _console.Account(Roles.Organiser, "locks@example.org");
        using var client = new ConsoleClient(_console.Api.BaseAddress);
        async Task<string> Attempt(string email, string password)
        {
            var r = await client.PostAsync("/", new() { ["email"] = email, ["password"] = password }, tokenFrom: "/");
            Assert.That(r.StatusCode, Is.EqualTo(HttpStatusCode.OK), $"{email} is not signed in");
            var html = await r.Content.ReadAsStringAsync();
            // What the page says: the error summary and the message beside the field (the form echoes the email typed).
            var start = html.IndexOf("<div class=\"error-summary\"", StringComparison.Ordinal);
            var end = html.IndexOf("<input type=\"email\"", StringComparison.Ordinal);
            Assert.That(start, Is.GreaterThan(0).And.LessThan(end));
            return html[start..end];
        }

        var unknown = await Attempt("nobody-here@example.org", "wrong password 1");
        var wrong = await Attempt(login.Email, "wrong password 1");
        Assert.That(wrong, Is.EqualTo(unknown), "a wrong password for a real account reads like an unknown email");
        for (var i = 2; i <= 5; i++) await Attempt(login.Email, $"wrong password {i}");

        var locked = await Attempt(login.Email, ConsoleFixture.Password);
        Assert.That(locked, Is.EqualTo(unknown), "even the right password is refused while locked, in the same words");
        Assert.That(locked, Does.Contain("locked for a while after too many attempts"));
        await using var conn = await _console.Api.OpenAsync();
        var lockoutEnd = await conn.ExecuteScalarAsync<string?>("SELECT CAST(lockout_end AS TEXT) FROM staff_account WHERE id = @Id", new { login.Id });
        Assert.That(lockoutEnd, Is.Not.Null, "Identity's lockout is recorded on the account");
    }

    [Test]
    public async Task Disabling_an_account_ends_its_open_session_at_its_next_request()
    {
        var login = await _console.Account(Roles.Organiser, "leaver@example.org");
        using var leaver = new ConsoleClient(_console.Api.BaseAddress);
        await leaver.SignInAsync(login);
        using var executive = await _console.SignedInClient(Roles.Executive);

        var disabled = await executive.PostAsync($"/staff/{login.Id}?handler=Disable", [], tokenFrom: $"/staff/{login.Id}");
        Assert.That(disabled.StatusCode, Is.EqualTo(HttpStatusCode.Redirect));

        var home = await leaver.GetAsync("/");
        Assert.That(await home.Content.ReadAsStringAsync(), Does.Contain("<h1>Sign in</h1>").And.Not.Contain("What needs attention"));
        var page = await leaver.GetAsync("/staff");
        Assert.That(page.StatusCode, Is.EqualTo(HttpStatusCode.Redirect));
        await using var conn = await _console.Api.OpenAsync();
        var events = (await conn.QueryAsync<(string Actor, string Action)>(
            "SELECT actor, action FROM staff_account_event WHERE account_id = @Id ORDER BY id", new { login.Id })).ToList();
        Assert.That(events, Does.Contain(("Test executive", "disabled")));
    }
}
