using System.Net;
using System.Text.RegularExpressions;

namespace Ballot.Tests.Console;

/// <summary>
/// A browser without a browser: an HttpClient with a cookie jar that does not follow redirects, for checks that need
/// no rendering (status codes, redirects, antiforgery). Forms are posted with the token read from the page.
/// </summary>
public sealed partial class ConsoleClient : IDisposable
{
    private readonly HttpClient _http;

    public ConsoleClient(Uri baseAddress)
    {
        Cookies = new CookieContainer();
        _http = new HttpClient(new HttpClientHandler { CookieContainer = Cookies, AllowAutoRedirect = false }) { BaseAddress = baseAddress };
    }

    public CookieContainer Cookies { get; }

    public Task<HttpResponseMessage> GetAsync(string path) => _http.GetAsync(path);

    /// <summary>The antiforgery token of the first form on the page at <paramref name="pagePath"/>.</summary>
    public async Task<string> TokenFrom(string pagePath)
    {
        var html = await (await _http.GetAsync(pagePath)).Content.ReadAsStringAsync();
        var m = TokenField().Match(html);
        Assert.That(m.Success, Is.True, $"no antiforgery token on {pagePath}");
        return WebUtility.HtmlDecode(m.Groups[1].Value);
    }

    /// <summary>Posts a form; with <paramref name="tokenFrom"/> the token is taken from that page first.</summary>
    public async Task<HttpResponseMessage> PostAsync(string path, Dictionary<string, string> fields, string? tokenFrom = null)
    {
        var form = new Dictionary<string, string>(fields);
        if (tokenFrom is not null) form["__RequestVerificationToken"] = await TokenFrom(tokenFrom);
        return await _http.PostAsync(path, new FormUrlEncodedContent(form));
    }

    /// <summary>Password, then the authenticator code if the account has one; asserts the session was given.</summary>
    public async Task SignInAsync(ConsoleFixture.StaffLogin login, string password = ConsoleFixture.Password)
    {
        var first = await PostAsync("/", new() { ["email"] = login.Email, ["password"] = password }, tokenFrom: "/");
        Assert.That(first.StatusCode, Is.EqualTo(HttpStatusCode.Redirect), await first.Content.ReadAsStringAsync());
        if (login.AuthenticatorKey is not null)
        {
            Assert.That(first.Headers.Location!.OriginalString, Does.StartWith("/sign-in/code"));
            var second = await PostAsync("/sign-in/code", new() { ["code"] = Totp.Code(login.AuthenticatorKey) }, tokenFrom: "/sign-in/code");
            Assert.That(second.StatusCode, Is.EqualTo(HttpStatusCode.Redirect), await second.Content.ReadAsStringAsync());
        }
        var home = await _http.GetAsync("/");
        Assert.That(await home.Content.ReadAsStringAsync(), Does.Contain("What needs attention"));
    }

    public void Dispose() => _http.Dispose();

    [GeneratedRegex("name=\"__RequestVerificationToken\" type=\"hidden\" value=\"([^\"]+)\"")]
    private static partial Regex TokenField();
}
