using System.Collections.Concurrent;
using Ballot.Core.Staff;
using Ballot.Core.Staff.Accounts;
using Ballot.Tests.Infrastructure;
using Deque.AxeCore.Playwright;
using Microsoft.Playwright;

namespace Ballot.Tests.Console;

/// <summary>
/// The real API and one real Chromium for a whole test class. <see cref="SignedInPage"/> gives a fresh browser
/// context signed in through the real sign-in form (password, then the authenticator code for roles that need one).
/// </summary>
public sealed class ConsoleFixture : IAsyncDisposable
{
    public const string Password = "correct horse battery staple";

    private readonly ConcurrentDictionary<string, StaffLogin> _logins = new();

    private ConsoleFixture(ApiHost api, IPlaywright playwright, IBrowser browser)
    {
        Api = api;
        Playwright = playwright;
        Browser = browser;
    }

    public ApiHost Api { get; }
    public IPlaywright Playwright { get; }
    public IBrowser Browser { get; }

    public sealed record StaffLogin(long Id, string Email, string Name, string Role, string? AuthenticatorKey);

    public static async Task<ConsoleFixture> StartAsync(Action<Dictionary<string, string?>>? settings = null)
    {
        var api = await ApiHost.StartAsync(settings);
        var playwright = await Microsoft.Playwright.Playwright.CreateAsync();
        var browser = await playwright.Chromium.LaunchAsync(new BrowserTypeLaunchOptions
        {
            ExecutablePath = "/usr/bin/chromium", Headless = true,
            Args = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update", "--no-first-run", "--disable-sync"],
        });
        return new ConsoleFixture(api, playwright, browser);
    }

    public string Url(string path) => new Uri(Api.BaseAddress, path).ToString();

    /// <summary>
    /// An active account in this role, made through the real use cases (create, then the set-up link's command with a
    /// password and, for executives and scrutineers, a code computed from the authenticator key).
    /// </summary>
    public async Task<StaffLogin> Account(string role, string? email = null)
    {
        email ??= $"{role}@example.org";
        if (_logins.TryGetValue(email, out var known)) return known;
        var created = await Api.Send(new CreateAccount.Command(email, $"Test {role}", role, Actor.CommandLine));
        var view = await Api.Send(new SetUpAccount.Query(created.SetupToken!));
        var key = role is Roles.Executive or Roles.Scrutineer ? view!.AuthenticatorKey : null;
        await Api.Send(new SetUpAccount.Command(created.SetupToken!, Password, Password, key is null ? null : Totp.Code(key)));
        return _logins[email] = new StaffLogin(created.Id, email, created.Name, role, key);
    }

    public async Task<IBrowserContext> NewContext() =>
        await Browser.NewContextAsync(new BrowserNewContextOptions { ViewportSize = new ViewportSize { Width = 1280, Height = 900 } });

    /// <summary>A new browser context, signed in as this role through the sign-in pages, on the home page.</summary>
    public async Task<IPage> SignedInPage(string role, string? email = null)
    {
        var login = await Account(role, email);
        var page = await (await NewContext()).NewPageAsync();
        await SignIn(page, login);
        return page;
    }

    /// <summary>An HttpClient with this role's session cookie (signed in through the same forms), for status-code checks.</summary>
    public async Task<ConsoleClient> SignedInClient(string role, string? email = null)
    {
        var client = new ConsoleClient(Api.BaseAddress);
        await client.SignInAsync(await Account(role, email));
        return client;
    }

    public async Task SignIn(IPage page, StaffLogin login, string password = Password)
    {
        await page.GotoAsync(Url("/"));
        await page.GetByLabel("Email address").FillAsync(login.Email);
        await page.GetByLabel("Password").FillAsync(password);
        await page.GetByRole(AriaRole.Button, new() { Name = "Continue" }).ClickAsync();
        if (login.AuthenticatorKey is not null)
        {
            await Assertions.Expect(page.Locator("h1")).ToHaveTextAsync("Enter the code from your authenticator app");
            await page.GetByLabel("Code").FillAsync(Totp.Code(login.AuthenticatorKey));
            await page.GetByRole(AriaRole.Button, new() { Name = "Sign in" }).ClickAsync();
        }
        await Assertions.Expect(page.Locator("h1")).ToHaveTextAsync("What needs attention");
    }

    /// <summary>axe-core on the page as it stands: no serious or critical violations.</summary>
    public static async Task AssertAccessible(IPage page)
    {
        var axe = await page.RunAxe();
        var bad = axe.Violations.Where(v => v.Impact is "serious" or "critical")
            .Select(v => $"{v.Id} ({v.Impact}): {v.Help} at {string.Join(", ", v.Nodes.Select(n => n.Target?.ToString()))}").ToList();
        Assert.That(bad, Is.Empty, $"axe-core violations on {page.Url}");
    }

    /// <summary>
    /// With BALLOT_SCREENSHOTS=folder set (docs/console.md says how), saves the page as it stands to folder/name.png, for
    /// the docs; otherwise does nothing.
    /// </summary>
    public static async Task Screenshot(IPage page, string name)
    {
        if (Environment.GetEnvironmentVariable("BALLOT_SCREENSHOTS") is not { Length: > 0 } folder) return;
        Directory.CreateDirectory(folder);
        await page.ScreenshotAsync(new PageScreenshotOptions { Path = Path.Combine(folder, name + ".png"), FullPage = true });
    }

    public async ValueTask DisposeAsync()
    {
        await Browser.DisposeAsync();
        Playwright.Dispose();
        await Api.DisposeAsync();
    }
}
