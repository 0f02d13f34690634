using System.Net;
using Ballot.Core.Staff;
using Ballot.Tests.Infrastructure;
using Dapper;

namespace Ballot.Tests.Members;

/// <summary>Registers as membership systems export them: their header names, categories by name in any case.</summary>
public sealed class ImportExportFormatTests
{
    private ApiHost _api = null!;
    private HttpClient _organiser = null!;

    [OneTimeSetUp]
    public async Task Start()
    {
        _api = await ApiHost.StartAsync();
        _organiser = await _api.ClientFor(Roles.Organiser);
    }

    [OneTimeTearDown]
    public async Task Stop() => await _api.DisposeAsync();

    [Test]
    public async Task Common_header_names_and_category_names_in_any_case_are_read_as_our_columns_and_codes()
    {
        const string csv = """
            Membership No,Forename,Surname,E-mail,Workplace,Employer,Region,Category,Membership Status
            H0001,Ann,Archer,ann@example.org,Hill School,North Council,North,Support staff,Active
            H0002,Bob,Baker,bob@example.org,Hill School,North Council,North,SUPPORT STAFF,lapsed
            H0003,Cat,Cole,cat@example.org,Hill School,North Council,North,support-staff,
            H0004,Dan,Dale,dan@example.org,Hill School,North Council,North,school leader,
            H0005,Eve,East,eve@example.org,Hill School,North Council,North,Teacher,

            """;
        var result = await (await _organiser.PostAsync("/api/members/import", Http.Csv(csv))).AssertStatus(HttpStatusCode.OK);
        Assert.That((int)(await result.ReadJson())["created"]!, Is.EqualTo(5));

        await using var conn = await _api.OpenAsync();
        var rows = (await conn.QueryAsync<(string Number, string First, string Last, string Email, string Category, string Status)>(
            "SELECT membership_number, first_name, last_name, email, category, status FROM member WHERE membership_number LIKE 'H%' ORDER BY membership_number")).ToList();
        Assert.That(rows, Is.EqualTo(new[]
        {
            ("H0001", "Ann", "Archer", "ann@example.org", "support-staff", "active"),
            ("H0002", "Bob", "Baker", "bob@example.org", "support-staff", "lapsed"),
            ("H0003", "Cat", "Cole", "cat@example.org", "support-staff", "active"),
            ("H0004", "Dan", "Dale", "dan@example.org", "leader", "active"),
            ("H0005", "Eve", "East", "eve@example.org", "teacher", "active"),
        }));
    }

    [Test]
    public async Task Other_header_spellings_map_too_and_an_unknown_category_still_fails_the_whole_file_line_by_line()
    {
        const string csv = """
            Member Number,First name,Last name,Email address,Workplace name,Employer name,Region,Member Category
            V0001,Val,Vine,val@example.org,Vale School,West Council,West,Supply teacher
            V0002,Wes,West,wes@example.org,Vale School,West Council,West,Janitor
            V0003,Xia,Xu,xia@example.org,Vale School,West Council,West,Head teacher

            """;
        var problem = await (await _organiser.PostAsync("/api/members/import", Http.Csv(csv))).AssertProblem(HttpStatusCode.BadRequest);
        var lines = problem["problems"]!.AsArray().Select(p => ((int)p!["line"]!, (string?)p["column"])).ToList();
        Assert.That(lines, Is.EqualTo(new[] { (3, (string?)"category"), (4, "category") }));
        Assert.That((string)problem["problems"]![0]!["message"]!, Does.Contain("Unknown category 'Janitor'"));
        await using var conn = await _api.OpenAsync();
        Assert.That(await conn.ExecuteScalarAsync<long>("SELECT COUNT(*) FROM member WHERE membership_number LIKE 'V%'"), Is.Zero);

        var fixedCsv = csv.Replace("Janitor", "support staff").Replace("Head teacher", "Teacher");
        await (await _organiser.PostAsync("/api/members/import", Http.Csv(fixedCsv))).AssertStatus(HttpStatusCode.OK);
        Assert.That(await conn.ExecuteScalarAsync<string>("SELECT category FROM member WHERE membership_number = 'V0001'"), Is.EqualTo("supply-teacher"));
        Assert.That(await conn.ExecuteScalarAsync<string>("SELECT email FROM member WHERE membership_number = 'V0003'"), Is.EqualTo("xia@example.org"));
    }
}
