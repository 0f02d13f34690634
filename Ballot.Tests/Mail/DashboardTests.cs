using System.Net;
using Ballot.Core.Staff;
using Ballot.Tests.Infrastructure;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;

namespace Ballot.Tests.Mail;

/// <summary>The worker's Hangfire dashboard: staff only, read-only for organisers.</summary>
public sealed class DashboardTests
{
    private ApiHost _api = null!;
    private WorkerHost _worker = null!;
    private Uri _dashboard = null!;

    [OneTimeSetUp]
    public async Task Start()
    {
        _api = await ApiHost.StartAsync();
        _worker = await WorkerHost.StartAsync(_api.Database.ConnectionString, c => c["Mail:PickupFolder"] = Path.Combine(_api.Database.Folder!, "pickup"));
        _dashboard = new Uri(_worker.Host.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First());
    }

    [OneTimeTearDown]
    public async Task Stop()
    {
        await _worker.DisposeAsync();
        await _api.DisposeAsync();
    }

    private HttpClient Client(string? token = null, CookieContainer? cookies = null)
    {
        var c = new HttpClient(new HttpClientHandler { AllowAutoRedirect = false, CookieContainer = cookies ?? new CookieContainer() }) { BaseAddress = _dashboard };
        if (token is not null) c.DefaultRequestHeaders.Authorization = new System.Net.Http.Headers.AuthenticationHeaderValue("Bearer", token);
        return c;
    }

    private static FormUrlEncodedContent Trigger() => new([new("jobs[]", "mail-dispatch")]);

    [Test]
    public async Task Without_a_staff_sign_in_the_dashboard_sends_you_to_sign_in_and_refuses_scrutineers()
    {
        using var anonymous = Client();
        var r = await anonymous.GetAsync("/hangfire");
        Assert.That(r.StatusCode, Is.EqualTo(HttpStatusCode.Redirect));
        Assert.That(r.Headers.Location!.ToString(), Is.EqualTo("/login"));
        Assert.That((await anonymous.PostAsync("/hangfire/recurring/trigger", Trigger())).StatusCode, Is.AnyOf(HttpStatusCode.Unauthorized, HttpStatusCode.Forbidden));

        using var scrutineer = Client(await _api.TokenFor(Roles.Scrutineer));
        Assert.That((await scrutineer.GetAsync("/hangfire")).StatusCode, Is.AnyOf(HttpStatusCode.Unauthorized, HttpStatusCode.Forbidden));
        using var forged = Client("blt_not-a-real-token");
        Assert.That((await forged.GetAsync("/hangfire")).StatusCode, Is.AnyOf(HttpStatusCode.Unauthorized, HttpStatusCode.Forbidden));

        using var login = Client();
        var refused = await login.PostAsync("/login", new FormUrlEncodedContent([new("token", await _api.TokenFor(Roles.Scrutineer))]));
        Assert.That(refused.StatusCode, Is.EqualTo(HttpStatusCode.Forbidden));
    }

    [Test]
    public async Task Organisers_see_the_jobs_read_only_and_executives_may_act()
    {
        using var organiser = Client(await _api.TokenFor(Roles.Organiser));
        var page = await organiser.GetAsync("/hangfire/recurring");
        Assert.That(page.StatusCode, Is.EqualTo(HttpStatusCode.OK));
        var html = await page.Content.ReadAsStringAsync();
        Assert.That(html, Does.Contain("mail-dispatch"));
        Assert.That(html, Does.Not.Contain("js-jobs-list-command"), "no action buttons for organisers");
        Assert.That((await organiser.PostAsync("/hangfire/recurring/trigger", Trigger())).StatusCode, Is.AnyOf(HttpStatusCode.Unauthorized, HttpStatusCode.Forbidden));

        using var executive = Client(await _api.TokenFor(Roles.Executive));
        var execHtml = await (await executive.GetAsync("/hangfire/recurring")).Content.ReadAsStringAsync();
        Assert.That(execHtml, Does.Contain("js-jobs-list-command"));
        var trigger = await executive.PostAsync("/hangfire/recurring/trigger", Trigger());
        Assert.That((int)trigger.StatusCode, Is.InRange(200, 299));
    }

    [Test]
    public async Task Signing_in_with_a_token_sets_a_cookie_that_opens_the_dashboard()
    {
        var cookies = new CookieContainer();
        using var browser = Client(cookies: cookies);
        var form = await browser.GetAsync("/login");
        Assert.That(await form.Content.ReadAsStringAsync(), Does.Contain("name=\"token\""));
        var bad = await browser.PostAsync("/login", new FormUrlEncodedContent([new("token", "blt_wrong")]));
        Assert.That(bad.StatusCode, Is.EqualTo(HttpStatusCode.Unauthorized));
        var signIn = await browser.PostAsync("/login", new FormUrlEncodedContent([new("token", await _api.TokenFor(Roles.Organiser))]));
        Assert.That(signIn.StatusCode, Is.EqualTo(HttpStatusCode.Redirect));
        Assert.That(signIn.Headers.Location!.ToString(), Is.EqualTo("/hangfire"));
        var dashboard = await browser.GetAsync("/hangfire");
        Assert.That(dashboard.StatusCode, Is.EqualTo(HttpStatusCode.OK));
        Assert.That(await dashboard.Content.ReadAsStringAsync(), Does.Contain("Ballot worker"));
    }
}
