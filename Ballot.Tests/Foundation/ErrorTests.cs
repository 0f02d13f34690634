using System.Net;
using Ballot.Core.Staff;
using Ballot.Tests.Infrastructure;

namespace Ballot.Tests.Foundation;

public sealed class ErrorTests
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
    public async Task Malformed_json_is_a_400_that_says_where()
    {
        var response = await _organiser.PatchAsync("/api/members/X1", Http.JsonBody("{\"email\": "));
        var problem = await response.AssertProblem(HttpStatusCode.BadRequest);
        Assert.That((string?)problem["detail"], Does.Contain("JSON"));
    }

    [Test]
    public async Task A_misspelt_field_is_refused_by_name()
    {
        var response = await _organiser.PatchAsync("/api/members/X1", Http.JsonBody("{\"emial\": \"a@b.org\"}"));
        var problem = await response.AssertProblem(HttpStatusCode.BadRequest);
        Assert.That((string?)problem["detail"], Does.Contain("emial"));
        Assert.That((string?)problem["detail"], Does.Not.Contain("Ballot.Api"));
    }

    [Test]
    public async Task A_query_value_of_the_wrong_type_is_a_400()
    {
        var response = await _organiser.GetAsync("/api/members?page=first");
        var problem = await response.AssertProblem(HttpStatusCode.BadRequest);
        Assert.That((string?)problem["detail"], Does.Contain("page"));
    }

    [Test]
    public async Task Validation_errors_are_listed_per_field()
    {
        var response = await _organiser.GetAsync("/api/members?pageSize=5000&status=sleeping");
        var problem = await response.AssertProblem(HttpStatusCode.BadRequest);
        Assert.That(problem["errors"]!.AsObject().Select(e => e.Key), Is.EquivalentTo(new[] { "pageSize", "status" }));
    }

    [Test]
    public async Task Unknown_routes_are_404_problems()
    {
        var response = await _organiser.GetAsync("/api/nothing-here");
        await response.AssertProblem(HttpStatusCode.NotFound);
    }

    [Test]
    public async Task A_garbage_token_is_401_and_says_why()
    {
        using var client = new HttpClient { BaseAddress = _api.BaseAddress };
        client.DefaultRequestHeaders.TryAddWithoutValidation("Authorization", "Bearer blt_not-a-real-token");
        var problem = await (await client.GetAsync("/api/members")).AssertProblem(HttpStatusCode.Unauthorized);
        Assert.That((string?)problem["detail"], Does.Contain("not valid"));
    }
}
