using System.Net;
using Ballot.Core.Staff;
using Ballot.Tests.Infrastructure;
using Dapper;

namespace Ballot.Tests.Members;

public sealed class MemberImportTests
{
    private ApiHost _api = null!;
    private HttpClient _organiser = null!;

    [SetUp]
    public async Task Start()
    {
        _api = await ApiHost.StartAsync();
        _organiser = await _api.ClientFor(Roles.Organiser);
    }

    [TearDown]
    public async Task Stop() => await _api.DisposeAsync();

    private async Task<long> Count(string sql)
    {
        await using var conn = await _api.OpenAsync();
        return await conn.ExecuteScalarAsync<long>(sql);
    }

    [Test]
    public async Task Import_creates_then_reports_updated_and_unchanged_on_the_next_file()
    {
        var first = await (await _organiser.PostAsync("/api/members/import", Http.Csv(MemberCsv.Generate(300, schools: 12))))
            .AssertStatus(HttpStatusCode.OK);
        var r1 = await first.ReadJson();
        Assert.That(((int)r1["created"]!, (int)r1["updated"]!, (int)r1["unchanged"]!), Is.EqualTo((300, 0, 0)));
        Assert.That(await Count("SELECT COUNT(*) FROM member"), Is.EqualTo(300));
        Assert.That(await Count("SELECT COUNT(*) FROM workplace"), Is.EqualTo(12));

        var csv = MemberCsv.Generate(300, schools: 12).Replace("member7@example.org", "new7@example.org")
            + "N000001,New,Person,new@example.org,School 1,Employer 1,Region 1,support-staff\n";
        var second = await (await _organiser.PostAsync("/api/members/import", Http.Csv(csv))).ReadJson();
        Assert.That(((int)second["created"]!, (int)second["updated"]!, (int)second["unchanged"]!), Is.EqualTo((1, 1, 299)));
        await using var conn = await _api.OpenAsync();
        Assert.That(await conn.ExecuteScalarAsync<string>("SELECT email FROM member WHERE membership_number = 'M000007'"), Is.EqualTo("new7@example.org"));
        Assert.That(await conn.ExecuteScalarAsync<string>("SELECT category FROM member WHERE membership_number = 'N000001'"), Is.EqualTo("support-staff"));
    }

    [Test]
    public async Task A_first_load_of_the_register_keeps_every_index_and_the_register_stays_searchable()
    {
        // On PostgreSQL an import that at least doubles the register builds its search indexes again after the COPY
        // (ADR 0821); every index must be there afterwards, as the migrations made it, and the searches must work.
        var engineIndexes = TestDatabase.Engine == Ballot.Core.Data.Engine.Postgres
            ? "SELECT indexname || ' ' || indexdef FROM pg_indexes WHERE tablename = 'member' ORDER BY 1"
            : "SELECT name || ' ' || coalesce(sql, '') FROM sqlite_master WHERE type = 'index' AND tbl_name = 'member' ORDER BY 1";
        // Its key, its unique membership number and the foreign keys that point at the key are set aside too (ADR 0911).
        const string constraintsSql = """
            SELECT conrelid::regclass::text || ' ' || conname || ' ' || pg_get_constraintdef(oid) FROM pg_constraint
            WHERE conrelid = 'member'::regclass OR confrelid = 'member'::regclass ORDER BY 1
            """;
        List<string> before, constraints = [];
        await using (var conn = await _api.OpenAsync())
        {
            before = (await conn.QueryAsync<string>(engineIndexes)).AsList();
            if (TestDatabase.Engine == Ballot.Core.Data.Engine.Postgres) constraints = (await conn.QueryAsync<string>(constraintsSql)).AsList();
        }
        Assert.That(before, Has.Count.GreaterThanOrEqualTo(5));

        var result = await (await (await _organiser.PostAsync("/api/members/import", Http.Csv(MemberCsv.Generate(20_000, schools: 40))))
            .AssertStatus(HttpStatusCode.OK)).ReadJson();
        Assert.That((int)result["created"]!, Is.EqualTo(20_000));
        await using (var conn = await _api.OpenAsync())
        {
            Assert.That((await conn.QueryAsync<string>(engineIndexes)).AsList(), Is.EqualTo(before));
            if (TestDatabase.Engine == Ballot.Core.Data.Engine.Postgres)
            {
                Assert.That(constraints, Does.Contain("member member_membership_number_key UNIQUE (membership_number)")
                    .And.Contain("member member_pkey PRIMARY KEY (id)")
                    .And.Contain("member_change member_change_member_id_fkey FOREIGN KEY (member_id) REFERENCES member(id)"));
                Assert.That((await conn.QueryAsync<string>(constraintsSql)).AsList(), Is.EqualTo(constraints), "the constraints set aside for the COPY are back");
            }
        }
        var found = await (await (await _organiser.GetAsync("/api/members?q=last19999")).AssertStatus(HttpStatusCode.OK)).ReadJson();
        Assert.That(found["items"]!.AsArray().Select(m => (string)m!["membershipNumber"]!), Is.EqualTo(new[] { "M019999" }));
        Assert.That(await Count("SELECT COUNT(*) FROM member WHERE lower(email) = 'member12345@example.org'"), Is.EqualTo(1));
    }

    [Test]
    public async Task One_bad_row_imports_nothing_and_every_problem_is_listed_with_line_and_column()
    {
        var csv = MemberCsv.Header + "\n"
            + "A1,Ann,Able,ann@example.org,Hill School,Leeds,North,teacher\n"      // line 2: fine
            + ",Bob,Bell,bob@example.org,Hill School,Leeds,North,teacher\n"        // line 3: no number
            + "A1,Cat,Cole,cat@example.org,Hill School,Leeds,North,teacher\n"      // line 4: duplicate of line 2
            + "A4,Dan,Dee,not-an-email,Hill School,Leeds,North,teacher\n"          // line 5: bad email
            + "A5,Eve,Eddy,eve@example.org,Hill School,Leeds,North,astronaut\n"    // line 6: unknown category
            + "A6,\"Fay,Fox@example.org,Hill School,Leeds,North,teacher\n";        // line 7: unclosed quote
        var response = await _organiser.PostAsync("/api/members/import", Http.Csv(csv));
        var problem = await response.AssertProblem(HttpStatusCode.BadRequest);
        var problems = problem["problems"]!.AsArray().Select(p => ((int)p!["line"]!, (string?)p["column"])).ToList();
        Assert.That(problems, Is.EquivalentTo(new (int, string?)[]
        {
            (3, "membership_number"), (4, "membership_number"), (5, "email"), (6, "category"), (7, null),
        }));
        Assert.That((string?)problem["problems"]![1]!["message"], Does.Contain("line 2"));
        Assert.That(await Count("SELECT COUNT(*) FROM member"), Is.EqualTo(0));
        Assert.That(await Count("SELECT COUNT(*) FROM workplace"), Is.EqualTo(0));
    }

    [Test]
    public async Task Header_names_are_case_insensitive_extra_columns_ignored_and_quoted_fields_read()
    {
        var csv = "Region,EMAIL,Membership_Number,Notes,first_name,last_name,workplace,employer,category\n"
            + "North,\"o'neil@example.org\",Z9,\"ignored, really\",\"Siobhán\",\"O'Neil, Jr\",\"St Mary's \"\"Upper\"\" School\",Leeds,Teacher\n";
        await (await _organiser.PostAsync("/api/members/import", Http.Csv(csv))).AssertStatus(HttpStatusCode.OK);
        var member = await (await _organiser.GetAsync("/api/members/Z9")).ReadJson();
        Assert.That((string?)member["lastName"], Is.EqualTo("O'Neil, Jr"));
        Assert.That((string?)member["firstName"], Is.EqualTo("Siobhán"));
        Assert.That((string?)member["workplace"]!["name"], Is.EqualTo("St Mary's \"Upper\" School"));
        Assert.That((string?)member["category"], Is.EqualTo("teacher"));
    }

    [Test]
    public async Task A_quoted_field_may_span_lines_and_later_problems_keep_their_file_line()
    {
        var csv = "membership_number,first_name,last_name,email,workplace,employer,region,category,notes\n"
            + "Q1,Ann,\"Able\",ann@example.org,Hill School,Leeds,North,teacher,\"moved,\nnew post\"\n" // lines 2-3
            + "Q2,Bob,Bell,bob@example.org,Hill School,Leeds,North,teacher,\n"                          // line 4: empty last field
            + "Q3,Cat,Cole,not-an-email,Hill School,Leeds,North,teacher,\"\"\n";                        // line 5: bad email
        var problem = await (await _organiser.PostAsync("/api/members/import", Http.Csv(csv))).AssertProblem(HttpStatusCode.BadRequest);
        Assert.That(problem["problems"]!.AsArray().Select(p => ((int)p!["line"]!, (string?)p["column"])), Is.EqualTo(new (int, string?)[] { (5, "email") }));
        Assert.That(await Count("SELECT COUNT(*) FROM member"), Is.EqualTo(0));

        var fixedCsv = csv.Replace("not-an-email", "cat@example.org");
        var result = await (await (await _organiser.PostAsync("/api/members/import", Http.Csv(fixedCsv))).AssertStatus(HttpStatusCode.OK)).ReadJson();
        Assert.That((int)result["created"]!, Is.EqualTo(3));
        Assert.That((string?)(await (await _organiser.GetAsync("/api/members/Q1")).ReadJson())["lastName"], Is.EqualTo("Able"));
        Assert.That(await Count("SELECT COUNT(*) FROM member WHERE membership_number IN ('Q1', 'Q2', 'Q3') AND workplace_id IS NOT NULL"), Is.EqualTo(3));
    }

    [Test]
    public async Task A_missing_header_column_or_an_empty_body_is_a_clear_400()
    {
        var noEmail = await _organiser.PostAsync("/api/members/import", Http.Csv("membership_number,first_name,last_name,workplace,employer,region,category\nA,B,C,D,E,F,teacher\n"));
        var p = await noEmail.AssertProblem(HttpStatusCode.BadRequest);
        Assert.That((string?)p["problems"]![0]!["column"], Is.EqualTo("email"));
        await (await _organiser.PostAsync("/api/members/import", Http.Csv(""))).AssertProblem(HttpStatusCode.BadRequest);
    }

    [Test]
    public async Task A_body_that_is_not_csv_is_415()
    {
        var response = await _organiser.PostAsync("/api/members/import", Http.JsonBody("{}"));
        await response.AssertProblem(HttpStatusCode.UnsupportedMediaType);
    }

    [Test]
    public async Task A_row_with_the_wrong_number_of_fields_is_reported()
    {
        var csv = MemberCsv.Header + "\nA1,Ann,Able,ann@example.org,Hill School,Leeds\n";
        var problem = await (await _organiser.PostAsync("/api/members/import", Http.Csv(csv))).AssertProblem(HttpStatusCode.BadRequest);
        Assert.That((string?)problem["problems"]![0]!["message"], Does.Contain("6 fields"));
    }
}

public sealed class ConcurrentImportTests
{
    [Test]
    public async Task Two_imports_of_the_same_new_file_at_once_create_each_member_once()
    {
        await using var api = await ApiHost.StartAsync();
        var organiser = await api.ClientFor(Roles.Organiser);
        var csv = MemberCsv.Generate(2000, schools: 40);
        var responses = await Task.WhenAll(
            organiser.PostAsync("/api/members/import", Http.Csv(csv)),
            organiser.PostAsync("/api/members/import", Http.Csv(csv)));
        var results = new List<(int, int, int)>();
        foreach (var r in responses)
        {
            var json = await (await r.AssertStatus(HttpStatusCode.OK)).ReadJson();
            results.Add(((int)json["created"]!, (int)json["updated"]!, (int)json["unchanged"]!));
        }
        Assert.That(results, Is.EquivalentTo(new[] { (2000, 0, 0), (0, 0, 2000) }));
        await using var conn = await api.OpenAsync();
        Assert.That(await conn.ExecuteScalarAsync<long>("SELECT COUNT(*) FROM member"), Is.EqualTo(2000));
        Assert.That(await conn.ExecuteScalarAsync<long>("SELECT COUNT(*) FROM workplace"), Is.EqualTo(40));
    }
}
