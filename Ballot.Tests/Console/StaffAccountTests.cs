using System.Diagnostics;
using System.Text.RegularExpressions;
using Ballot.Core.Staff;
using Ballot.Tests.Mail;
using Dapper;
using Microsoft.Playwright;

namespace Ballot.Tests.Console;

/// <summary>
/// The story of issue 12's accounts, in real Chromium: the first executive comes from the command line, sets up the
/// authenticator from the set-up link, signs in, and invites an organiser; the worker mails the invitation over SMTP
/// and the organiser accepts it. Every page on the way is checked with axe.
/// </summary>
public sealed class StaffAccountTests
{
    private ConsoleFixture _console = null!;
    private SmtpTestServer _smtp = null!;

    [OneTimeSetUp]
    public async Task Start()
    {
        _console = await ConsoleFixture.StartAsync();
        _smtp = await SmtpTestServer.StartAsync();
    }

    [OneTimeTearDown]
    public async Task Stop()
    {
        await _console.DisposeAsync();
        await _smtp.DisposeAsync();
    }

    /// <summary>The built command-line verb, as TokenCliTests runs it, against the fixture's database.</summary>
    private async Task<(int Code, string Out, string Err)> Cli(params string[] args)
    {
        var psi = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true };
        psi.ArgumentList.Add(Path.Combine(AppContext.BaseDirectory, "Ballot.Api.dll"));
        psi.ArgumentList.Add("staff");
        foreach (var a in args) psi.ArgumentList.Add(a);
        psi.Environment["Database__ConnectionString"] = _console.Api.Database.ConnectionString;
        psi.Environment["Mail__PublicBaseUrl"] = _console.Api.BaseAddress.ToString().TrimEnd('/');
        using var p = Process.Start(psi)!;
        var stdout = p.StandardOutput.ReadToEndAsync();
        var stderr = p.StandardError.ReadToEndAsync();
        await p.WaitForExitAsync();
        return (p.ExitCode, await stdout, await stderr);
    }

    private async Task<string> ScreenshotAndCheck(IPage page, string? name)
    {
        await ConsoleFixture.AssertAccessible(page);
        if (name is not null) await ConsoleFixture.Screenshot(page, name);
        return await page.Locator("main").InnerTextAsync();
    }

    [Test]
    public async Task The_first_executive_comes_from_the_command_line_and_invites_an_organiser_who_accepts_by_mail()
    {
        var created = await Cli("create", "--role", "executive", "--email", "jo.bloggs@example.org", "--name", "Jo Bloggs");
        Assert.That(created.Code, Is.EqualTo(0), created.Err);
        var link = created.Out.Trim().Split('\n').Last().Trim();
        Assert.That(link, Does.Match(@"^http://127\.0\.0\.1:\d+/set-up/[A-Za-z0-9_-]{43}$"), created.Out);

        // Set-up: password and authenticator; the code is computed from the key the page shows.
        var context = await _console.NewContext();
        var page = await context.NewPageAsync();
        await page.GotoAsync(link);
        await Assertions.Expect(page.Locator("h1")).ToHaveTextAsync("Set up your account");
        await ConsoleFixture.Screenshot(page, "set-up");
        await page.GetByRole(AriaRole.Button, new() { Name = "Finish setting up" }).ClickAsync();
        await Assertions.Expect(page.Locator(".error-summary")).ToContainTextAsync("Enter a password");
        Assert.That(await page.TitleAsync(), Does.StartWith("Error: "));
        await ScreenshotAndCheck(page, null);
        await page.GetByLabel("Password", new() { Exact = true }).FillAsync(ConsoleFixture.Password);
        await page.GetByLabel("Enter the password again").FillAsync(ConsoleFixture.Password);
        var key = await page.Locator("#authenticator-key").InnerTextAsync();
        await page.GetByLabel("Code from the app").FillAsync(Totp.Code(key));
        await page.GetByRole(AriaRole.Button, new() { Name = "Finish setting up" }).ClickAsync();
        await Assertions.Expect(page.Locator(".notice")).ToContainTextAsync("Your account is ready");

        // The link worked once.
        var again = await (await context.NewPageAsync()).GotoAsync(link);
        Assert.That(again!.Status, Is.EqualTo(404));

        // Sign in: password, then the code.
        await _console.SignIn(page, new ConsoleFixture.StaffLogin(0, "jo.bloggs@example.org", "Jo Bloggs", Roles.Executive, key.Replace(" ", "")));
        var home = await ScreenshotAndCheck(page, null);
        Assert.That(home, Does.Contain("Hello, Jo Bloggs").And.Contain("GMT").Or.Contain("BST"));

        // An API token for a program, made and revoked in the console.
        await page.GetByRole(AriaRole.Link, new() { Name = "API tokens" }).ClickAsync();
        await page.GetByLabel("What uses it").FillAsync("Membership system import");
        await page.GetByLabel("Organiser").CheckAsync();
        await page.GetByRole(AriaRole.Button, new() { Name = "Create token" }).ClickAsync();
        var token = await page.Locator("#new-token").InnerTextAsync();
        await ScreenshotAndCheck(page, "tokens");
        using var program = new HttpClient { BaseAddress = _console.Api.BaseAddress };
        program.DefaultRequestHeaders.Authorization = new("Bearer", token);
        Assert.That((await program.GetAsync("/api/me")).StatusCode, Is.EqualTo(System.Net.HttpStatusCode.OK));
        await page.GetByRole(AriaRole.Button, new() { Name = "Revoke the token for Membership system import" }).ClickAsync();
        await Assertions.Expect(page.Locator(".notice")).ToContainTextAsync("Token revoked");
        Assert.That((await program.GetAsync("/api/me")).StatusCode, Is.EqualTo(System.Net.HttpStatusCode.Unauthorized));

        // Invite an organiser.
        await page.GetByRole(AriaRole.Link, new() { Name = "Staff accounts" }).ClickAsync();
        await Assertions.Expect(page.Locator("h1")).ToHaveTextAsync("Staff accounts");
        await ScreenshotAndCheck(page, "staff");
        await page.GetByRole(AriaRole.Link, new() { Name = "Invite someone" }).ClickAsync();
        await page.GetByLabel("Full name").FillAsync("Sam Organiser");
        await page.GetByLabel("Email address").FillAsync("not an email");
        await page.GetByLabel("Organiser").CheckAsync();
        await page.GetByRole(AriaRole.Button, new() { Name = "Send the invitation" }).ClickAsync();
        await Assertions.Expect(page.Locator("#email-error")).ToContainTextAsync("not a valid email address");
        await ScreenshotAndCheck(page, "invite");
        await page.GetByLabel("Email address").FillAsync("sam@example.org");
        await page.GetByRole(AriaRole.Button, new() { Name = "Send the invitation" }).ClickAsync();
        await Assertions.Expect(page.Locator(".notice")).ToContainTextAsync("Invitation to sam@example.org queued");
        Assert.That(await page.Locator("main").InnerTextAsync(), Does.Contain("invited").And.Contain("Jo Bloggs"));

        // The worker sends the invitation through SMTP.
        IReadOnlyList<MimeKit.MimeMessage> letters;
        await using (await WorkerHost.StartAsync(_console.Api.Database.ConnectionString, c =>
        {
            _smtp.AddTo(c);
            c["Mail:PublicBaseUrl"] = _console.Api.BaseAddress.ToString().TrimEnd('/');
        }))
            letters = await _smtp.WaitForMessages(1);
        var letter = letters.Single(m => m.To.Mailboxes.Single().Address == "sam@example.org");
        Assert.That(letter.TextBody, Does.Contain("Dear Sam Organiser").And.Contain("Jo Bloggs has invited you").And.Contain("as an organiser"));
        var invitation = Regex.Match(letter.TextBody ?? "", @"http://127\.0\.0\.1:\d+/set-up/[A-Za-z0-9_-]{43}").Value;
        Assert.That(invitation, Is.Not.Empty, letter.TextBody);
        await page.ReloadAsync();
        await ScreenshotAndCheck(page, "account");
        Assert.That(await page.Locator("main").InnerTextAsync(), Does.Contain("sent"));

        // The organiser accepts: a password; the authenticator is optional for the role.
        var organiserContext = await _console.NewContext();
        var organiser = await organiserContext.NewPageAsync();
        await organiser.GotoAsync(invitation);
        await organiser.GetByLabel("Password", new() { Exact = true }).FillAsync("a different long passphrase");
        await organiser.GetByLabel("Enter the password again").FillAsync("a different long passphrase");
        await organiser.GetByRole(AriaRole.Button, new() { Name = "Finish setting up" }).ClickAsync();
        await Assertions.Expect(organiser.Locator(".notice")).ToContainTextAsync("Your account is ready");
        await _console.SignIn(organiser, new ConsoleFixture.StaffLogin(0, "sam@example.org", "Sam Organiser", Roles.Organiser, null), "a different long passphrase");
        var nav = await organiser.Locator("nav[aria-label=Main]").InnerTextAsync();
        Assert.That(nav, Does.Not.Contain("Staff accounts"));
        Assert.That((await organiser.GotoAsync(_console.Url("/staff")))!.Status, Is.EqualTo(403));
        await ScreenshotAndCheck(organiser, "forbidden");

        await using var conn = await _console.Api.OpenAsync();
        var history = (await conn.QueryAsync<(string Actor, string Action)>("""
            SELECT e.actor, e.action FROM staff_account_event e JOIN staff_account a ON a.id = e.account_id
            WHERE a.email = 'sam@example.org' ORDER BY e.id
            """)).ToList();
        Assert.That(history, Is.EqualTo(new[] { ("Jo Bloggs", "invited"), ("Sam Organiser", "set up") }));
        var stored = await conn.QuerySingleAsync<(string Status, string? PasswordHash)>(
            "SELECT status, password_hash AS PasswordHash FROM staff_account WHERE email = 'sam@example.org'");
        Assert.That(stored.Status, Is.EqualTo("active"));
        Assert.That(stored.PasswordHash, Does.Not.Contain("passphrase").And.Length.GreaterThan(40), "Identity's password hash");

        // The command line lists both and can take the second factor away again.
        var list = await Cli("list");
        Assert.That(list.Out, Does.Contain("jo.bloggs@example.org").And.Contain("sam@example.org"));
        var reset = await Cli("reset-2fa", "jo.bloggs@example.org");
        Assert.That(reset.Code, Is.EqualTo(0), reset.Err);
        await page.GotoAsync(_console.Url("/staff"));
        await Assertions.Expect(page.Locator("h1")).ToHaveTextAsync("Sign in");
        await context.CloseAsync();
        await organiserContext.CloseAsync();
    }
}
