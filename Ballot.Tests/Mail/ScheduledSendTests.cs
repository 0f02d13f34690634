using System.Net;
using System.Net.Http.Json;
using Ballot.Core.Data;
using Ballot.Core.Mail;
using Ballot.Core.Staff;
using Ballot.Tests.Infrastructure;
using Dapper;

namespace Ballot.Tests.Mail;

/// <summary>
/// "Send at" given with any UTC offset means that instant: stored as UTC, due exactly then on both engines. No worker
/// here: the worker's own dispatch step runs on the test's clock.
/// </summary>
public sealed class ScheduledSendTests
{
    private ApiHost _api = null!;
    private HttpClient _org = null!;
    private HttpClient _exec = null!;

    [OneTimeSetUp]
    public async Task Start()
    {
        _api = await ApiHost.StartAsync();
        await MailTestData.ImportAsync(_api, MemberCsv.Generate(3, schools: 1));
        _org = await _api.ClientFor(Roles.Organiser);
        _exec = await _api.ClientFor(Roles.Executive);
    }

    [OneTimeTearDown]
    public async Task Stop()
    {
        _org.Dispose();
        _exec.Dispose();
        await _api.DisposeAsync();
    }

    private Task<string> Status(long id) => Scalar<string>("SELECT status FROM mailing WHERE id = @id", new { id });

    private async Task<T> Scalar<T>(string sql, object args)
    {
        await using var conn = await _api.OpenAsync();
        return (await conn.ExecuteScalarAsync<T>(sql, args))!;
    }

    [TestCase(1)]
    [TestCase(-5)]
    public async Task A_send_time_with_an_offset_falls_due_at_that_instant(int offsetHours)
    {
        var created = await (await _org.PostAsJsonAsync("/api/mailings", new { subject = "Later today", bodyMarkdown = "Hello {{ first_name }}" })).ReadJson();
        var id = (long)created["id"]!;
        await (await _exec.PostAsync($"/api/mailings/{id}/approve", null)).AssertStatus(HttpStatusCode.OK);

        var dueUtc = _api.Clock.GetUtcNow().AddMinutes(90);
        var at = dueUtc.ToOffset(TimeSpan.FromHours(offsetHours));
        var body = $$"""{"at":"{{at:yyyy-MM-dd'T'HH:mm:sszzz}}"}""";
        var sent = await (await (await _org.PostAsync($"/api/mailings/{id}/send", Http.JsonBody(body))).AssertStatus(HttpStatusCode.OK)).ReadJson();
        Assert.That((string?)sent["status"], Is.EqualTo("scheduled"));
        var truncated = new DateTimeOffset(dueUtc.UtcDateTime.Ticks - dueUtc.UtcDateTime.Ticks % TimeSpan.TicksPerSecond, TimeSpan.Zero);
        Assert.That(DateTimeOffset.Parse((string)sent["sendAt"]!), Is.EqualTo(truncated));
        if (TestDatabase.Engine == Engine.Sqlite)
            Assert.That(await Scalar<string>("SELECT send_at FROM mailing WHERE id = @id", new { id }), Is.EqualTo(DapperSetup.ToSqliteText(truncated)),
                "stored as ISO UTC text, like every other time");

        var dispatch = new MailDispatch(_api.Db, _api.Clock);
        _api.Clock.Advance(TimeSpan.FromMinutes(89));
        Assert.That(await dispatch.DueAsync(CancellationToken.None), Does.Not.Contain(id));
        Assert.That(await Status(id), Is.EqualTo("scheduled"), "a minute early");
        _api.Clock.Advance(TimeSpan.FromMinutes(1));
        Assert.That(await dispatch.DueAsync(CancellationToken.None), Does.Contain(id));
        Assert.That(await Status(id), Is.EqualTo("sending"), "due at the instant given");
    }
}
