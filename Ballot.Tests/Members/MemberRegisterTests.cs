using System.Net;
using Ballot.Core.Staff;
using Ballot.Tests.Infrastructure;
using Dapper;

namespace Ballot.Tests.Members;

public sealed class MemberRegisterTests
{
    private ApiHost _api = null!;
    private HttpClient _organiser = null!;

    [SetUp]
    public async Task Start()
    {
        _api = await ApiHost.StartAsync();
        _organiser = await _api.ClientFor(Roles.Organiser);
        var csv = MemberCsv.Header + "\n"
            + "T1,Alice,Archer,alice@example.org,Hill Primary,Leeds LA,Yorkshire,teacher\n"
            + "T2,Bilal,Baker,bilal@example.org,Hill Primary,Leeds LA,Yorkshire,support-staff\n"
            + "T3,Carys,Jones,carys@example.org,Ysgol y Bryn,Cardiff LA,Wales,teacher\n"
            + "T4,Dev,Patel,dev@example.org,Oak Academy,Oak Trust,London,leader\n";
        await (await _organiser.PostAsync("/api/members/import", Http.Csv(csv))).AssertStatus(HttpStatusCode.OK);
    }

    [TearDown]
    public async Task Stop() => await _api.DisposeAsync();

    private async Task<string[]> Numbers(string query)
    {
        var page = await (await _organiser.GetAsync("/api/members" + query)).AssertStatus(HttpStatusCode.OK);
        return (await page.ReadJson())["items"]!.AsArray().Select(m => (string)m!["membershipNumber"]!).ToArray();
    }

    [Test]
    public async Task Filters_and_text_search_narrow_the_register()
    {
        Assert.That(await Numbers("?region=wales"), Is.EqualTo(new[] { "T3" }));
        Assert.That(await Numbers("?employer=Leeds%20LA&category=teacher"), Is.EqualTo(new[] { "T1" }));
        Assert.That(await Numbers("?workplace=hill%20primary"), Is.EqualTo(new[] { "T1", "T2" }));
        Assert.That(await Numbers("?q=PATEL"), Is.EqualTo(new[] { "T4" }));
        Assert.That(await Numbers("?q=bilal%40"), Is.EqualTo(new[] { "T2" }));
        Assert.That(await Numbers("?q=%25"), Is.Empty, "a % in the search is a literal, not a wildcard");
        Assert.That(await Numbers("?q=dev%20pa"), Is.EqualTo(new[] { "T4" }), "the start of the full name");
        Assert.That(await Numbers("?q=car"), Is.EqualTo(new[] { "T3" }), "the start of the first name");
        Assert.That(await Numbers("?q=t3"), Is.EqualTo(new[] { "T3" }), "the start of the membership number");
        Assert.That(await Numbers("?q=atel"), Is.Empty, "the search matches the start of a field, not the middle");
        Assert.That(await Numbers("?status=lapsed"), Is.Empty);
    }

    [Test]
    public async Task Paging_returns_pages_and_the_total()
    {
        var page = await (await _organiser.GetAsync("/api/members?pageSize=3&page=2")).ReadJson();
        Assert.That((long)page["total"]!, Is.EqualTo(4));
        Assert.That(page["items"]!.AsArray().Select(m => (string)m!["membershipNumber"]!), Is.EqualTo(new[] { "T4" }));
    }

    [Test]
    public async Task Patch_changes_email_workplace_and_status()
    {
        var oak = (await (await _organiser.GetAsync("/api/members/T4")).ReadJson())["workplace"]!["id"]!.GetValue<long>();
        var response = await _organiser.PatchAsync("/api/members/T1",
            Http.JsonBody($$"""{"email":"alice.archer@example.org","workplaceId":{{oak}},"status":"lapsed"}"""));
        var member = await (await response.AssertStatus(HttpStatusCode.OK)).ReadJson();
        Assert.That((string?)member["email"], Is.EqualTo("alice.archer@example.org"));
        Assert.That((string?)member["workplace"]!["name"], Is.EqualTo("Oak Academy"));
        Assert.That((string?)member["status"], Is.EqualTo("lapsed"));
        await using var conn = await _api.OpenAsync();
        Assert.That(await conn.ExecuteScalarAsync<string>("SELECT status FROM member WHERE membership_number = 'T1'"), Is.EqualTo("lapsed"));
    }

    [Test]
    public async Task Patch_refuses_a_bad_email_an_unknown_workplace_and_an_unknown_member()
    {
        var bad = await (await _organiser.PatchAsync("/api/members/T1", Http.JsonBody("""{"email":"nope"}"""))).AssertProblem(HttpStatusCode.BadRequest);
        Assert.That(bad["errors"]!["email"], Is.Not.Null);
        await (await _organiser.PatchAsync("/api/members/T1", Http.JsonBody("""{"workplaceId":987654}"""))).AssertProblem(HttpStatusCode.BadRequest);
        await (await _organiser.PatchAsync("/api/members/NOPE", Http.JsonBody("""{"status":"lapsed"}"""))).AssertProblem(HttpStatusCode.NotFound);
        await (await _organiser.GetAsync("/api/members/NOPE")).AssertProblem(HttpStatusCode.NotFound);
    }

    [Test]
    public async Task Delete_erases_name_and_email_but_keeps_the_row_that_counts_rely_on()
    {
        await (await _organiser.DeleteAsync("/api/members/T2")).AssertStatus(HttpStatusCode.NoContent);
        var member = await (await _organiser.GetAsync("/api/members/T2")).ReadJson();
        Assert.That((bool)member["erased"]!, Is.True);
        Assert.That(member["firstName"], Is.Null);
        Assert.That(member["email"], Is.Null);
        await using var conn = await _api.OpenAsync();
        Assert.That(await conn.ExecuteScalarAsync<long>("SELECT COUNT(*) FROM member"), Is.EqualTo(4));
        Assert.That(await conn.ExecuteScalarAsync<long>("SELECT COUNT(*) FROM member WHERE email LIKE '%bilal%' OR first_name = 'Bilal'"), Is.EqualTo(0));
        var workplaces = await (await _organiser.GetAsync("/api/workplaces?q=hill")).ReadJson();
        Assert.That((long)workplaces["items"]![0]!["members"]!, Is.EqualTo(2), "the erased member still counts at their workplace");
    }

    [Test]
    public async Task A_scrutineer_cannot_see_member_personal_data()
    {
        var scrutineer = await _api.ClientFor(Roles.Scrutineer);
        await (await scrutineer.GetAsync("/api/members")).AssertProblem(HttpStatusCode.Forbidden);
        await (await scrutineer.GetAsync("/api/members/T1")).AssertProblem(HttpStatusCode.Forbidden);
    }

    [Test]
    public async Task Logs_never_hold_member_emails_or_tokens()
    {
        await _organiser.GetAsync("/api/members?q=alice%40example.org");
        await _organiser.GetAsync("/api/members/T1");
        await _organiser.PatchAsync("/api/members/T3", Http.JsonBody("""{"email":"carys.new@example.org"}"""));
        var logs = _api.Logs.All;
        Assert.That(logs, Does.Contain("/api/members"), "requests are logged");
        Assert.That(logs, Does.Not.Contain("@example.org"));
        Assert.That(logs, Does.Not.Contain(await _api.TokenFor(Roles.Organiser)));
    }
}
