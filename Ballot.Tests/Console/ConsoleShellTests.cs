using System.Net;
using Ballot.Core.Staff;
using Microsoft.Playwright;

namespace Ballot.Tests.Console;

/// <summary>The console's shell: sign-in at "/", navigation per role, error pages, antiforgery, the JSON API untouched.</summary>
public sealed class ConsoleShellTests
{
    private ConsoleFixture _console = null!;

    [OneTimeSetUp]
    public async Task Start() => _console = await ConsoleFixture.StartAsync();

    [OneTimeTearDown]
    public async Task Stop() => await _console.DisposeAsync();

    [Test]
    public async Task Signed_out_the_root_is_the_sign_in_page_and_each_role_signs_in_to_its_own_navigation()
    {
        var context = await _console.NewContext();
        var page = await context.NewPageAsync();
        var response = await page.GotoAsync(_console.Url("/"));
        Assert.That(response!.Status, Is.EqualTo(200));
        await Assertions.Expect(page.Locator("h1")).ToHaveTextAsync("Sign in");
        Assert.That(await page.EvaluateAsync<string>("getComputedStyle(document.querySelector('.site-header')).backgroundColor"),
            Is.EqualTo("rgb(29, 53, 87)"), "the stylesheet is served from wwwroot");
        await ConsoleFixture.AssertAccessible(page);
        await ConsoleFixture.Screenshot(page, "sign-in");
        await context.CloseAsync();

        foreach (var role in Roles.All)
        {
            var signedIn = await _console.SignedInPage(role);
            var nav = await signedIn.Locator("nav[aria-label=Main]").InnerTextAsync();
            Assert.That(nav, Does.Contain("Home"));
            Assert.That(nav.Contains("Staff accounts"), Is.EqualTo(role == Roles.Executive), $"{role}: {nav}");
            // axe once, on the executive's home, which shows every section (the other roles see fewer).
            if (role == Roles.Executive) await ConsoleFixture.AssertAccessible(signedIn);
            await signedIn.Context.CloseAsync();
        }
    }

    [Test]
    public async Task The_json_api_does_not_accept_the_session_cookie()
    {
        var page = await _console.SignedInPage(Roles.Executive);
        var cookies = await page.Context.CookiesAsync();
        var session = cookies.Single(c => c.Name == "ballot.session");
        Assert.That(session.HttpOnly, Is.True);
        Assert.That(session.SameSite, Is.EqualTo(SameSiteAttribute.Lax));
        using var client = new HttpClient { BaseAddress = _console.Api.BaseAddress };
        client.DefaultRequestHeaders.Add("Cookie", $"{session.Name}={session.Value}");
        Assert.That((await client.GetAsync("/api/me")).StatusCode, Is.EqualTo(HttpStatusCode.Unauthorized));
        await page.Context.CloseAsync();
    }
}
