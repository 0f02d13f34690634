using System.Net;
using System.Text;
using System.Text.Json.Nodes;
using Ballot.Core.Staff;
using Ballot.Tests.Infrastructure;

namespace Ballot.Tests.Motions;

/// <summary>The requests an executive member makes, over HTTP, for the motions tests.</summary>
public sealed class MotionsClient(HttpClient http)
{
    public HttpClient Http => http;

    public static string Seed(string name = "000_41d4247a61a3e1bd.txt") =>
        File.ReadAllText(Path.Combine(TestContext.CurrentContext.TestDirectory, "Motions", "Seeds", name), new UTF8Encoding(false));

    public async Task<long> Conference(string name = "Annual Conference 2001", string startsOn = "2001-04-14", string endsOn = "2001-04-17")
    {
        var r = await http.PostAsync("/api/conferences", Infrastructure.Http.JsonBody(
            $$"""{"name":"{{name}}","place":"Harrogate","startsOn":"{{startsOn}}","endsOn":"{{endsOn}}"}"""));
        return (long)(await (await r.AssertStatus(HttpStatusCode.Created)).ReadJson())["id"]!;
    }

    public async Task<JsonNode> Motion(long conferenceId, string text, string title = "A motion", bool twoThirds = false, int? number = null)
    {
        var body = new JsonObject
        {
            ["title"] = title, ["text"] = text, ["needsTwoThirds"] = twoThirds, ["number"] = number,
            ["proposer"] = new JsonObject { ["kind"] = "branch", ["name"] = "Leeds" },
            ["seconder"] = new JsonObject { ["kind"] = "division", ["name"] = "Kirklees" },
            ["topic"] = "Pay",
        };
        var r = await http.PostAsync($"/api/conferences/{conferenceId}/motions", Infrastructure.Http.JsonBody(body.ToJsonString()));
        return await (await r.AssertStatus(HttpStatusCode.Created)).ReadJson();
    }

    public async Task<JsonNode> Import(long conferenceId, string text, string query = "")
    {
        var r = await http.PostAsync($"/api/conferences/{conferenceId}/motions/import{query}", new StringContent(text, Encoding.UTF8, "text/plain"));
        return await (await r.AssertStatus(HttpStatusCode.Created)).ReadJson();
    }

    public Task<HttpResponseMessage> Post(string path, object body) =>
        http.PostAsync(path, Infrastructure.Http.JsonBody(System.Text.Json.JsonSerializer.Serialize(body, Infrastructure.Http.Json)));

    public async Task<JsonNode> Status(long motionId, string status) =>
        await (await (await Post($"/api/motions/{motionId}/status", new { status })).AssertStatus(HttpStatusCode.OK)).ReadJson();

    public async Task<JsonNode> Amend(long motionId, object amendment) =>
        await (await (await Post($"/api/motions/{motionId}/amendments", amendment)).AssertStatus(HttpStatusCode.Created)).ReadJson();

    public async Task<JsonNode> Vote(string path, object vote) =>
        await (await (await Post(path, vote)).AssertStatus(HttpStatusCode.OK)).ReadJson();

    public async Task<JsonNode> Get(string path) => await (await (await http.GetAsync(path)).AssertStatus(HttpStatusCode.OK)).ReadJson();

    public static object Branch(string name) => new { kind = "branch", name };

    /// <summary>Submitted → debated, then carried by show of hands.</summary>
    public async Task<JsonNode> Carry(long motionId)
    {
        await Status(motionId, "debated");
        return await Vote($"/api/motions/{motionId}/vote", new { method = "show-of-hands", result = "carried" });
    }
}

/// <summary>
/// A fixture for motion tests: one API per test class, the executive's client, and (unless <paramref name="conference"/>
/// is false) a conference to table motions at.
/// </summary>
public abstract class MotionApiTests(bool conference = true)
{
    protected ApiHost Api { get; private set; } = null!;
    protected MotionsClient Exec { get; private set; } = null!;
    protected long ConferenceId { get; private set; }

    [OneTimeSetUp]
    public async Task StartApiWithConference()
    {
        Api = await ApiHost.StartAsync();
        Exec = new MotionsClient(await Api.ClientFor(Roles.Executive));
        if (conference) ConferenceId = await Exec.Conference();
    }

    [OneTimeTearDown]
    public async Task StopApi() => await Api.DisposeAsync();
}
