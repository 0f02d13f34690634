using System.Collections.Concurrent;
using System.Runtime.CompilerServices;
using Ballot.Core.Sealing;
using Dapper;

namespace Ballot.Tests.Infrastructure;

/// <summary>
/// The trustees of each test ballot, in-process: they run the key ceremony before the ballot opens and decrypt the
/// sums after it closes, as the trustee command would on their own machines. One set per API host's database.
/// </summary>
public sealed class TestTrustees(ApiHost api)
{
    private static readonly ConditionalWeakTable<ApiHost, TestTrustees> ByHost = new();
    private readonly ConcurrentDictionary<long, Trustee[]> _ballots = new();

    public static TestTrustees For(ApiHost api) => ByHost.GetValue(api, a => new TestTrustees(a));

    public ApiHost Api { get; } = api;

    /// <summary>The ballot's trustees, 1..n, once its ceremony has run.</summary>
    public Trustee[] Of(long ballotId) => _ballots.TryGetValue(ballotId, out var t) ? t : throw new InvalidOperationException($"Ballot {ballotId} has had no ceremony.");

    /// <summary>Runs the ballot's key ceremony (2 of 3 unless its draft says otherwise), so that it can open.</summary>
    public async Task CeremonyAsync(long ballotId, int threshold = 2, int trustees = 3)
    {
        // Through the ceremony endpoints, as the trustee command would: the executive names the trustees, each trustee's
        // own token posts its messages, and every message reaches the others only as the server relays it.
        var seats = await TrusteeSeatsAsync(trustees);
        using var exec = await Api.ClientFor(Ballot.Core.Staff.Roles.Executive);
        _ballots[ballotId] = await RunCeremonyAsync(exec, seats, ballotId, threshold);
    }

    /// <summary>The given trustees (default: the first t) decrypt the closed ballot's sums, so that it is counted.</summary>
    public async Task DecryptAsync(long ballotId, params int[] which)
    {
        // As the trustee command does: the board over HTTP, the sums recomputed from its papers (a trustee never
        // decrypts a "sum" it has not added up itself: it could be one vote), then each trustee's shares and proof posted.
        var people = Of(ballotId);
        var board = await BoardAsync(Api, ballotId);
        var sums = RecomputedSums(board);
        if (which.Length == 0) which = [.. Enumerable.Range(1, board.Ceremony.Threshold)];
        // Each trustee posts with its own token: the server takes partial decryptions only from the trustee they name.
        var seats = await TrusteeSeatsAsync(people.Length);
        foreach (var i in which)
        {
            var decryption = people[i - 1].Decrypt(SealingContext.ForBallot(ballotId), sums);
            await (await seats[i - 1].Client.PostAsync($"/api/ballots/{ballotId}/decryptions",
                Http.JsonBody(SealingJson.Serialize(decryption)))).AssertStatus(System.Net.HttpStatusCode.OK);
        }
    }

    /// <summary>The ballot's board as anyone downloads it.</summary>
    public static async Task<Board> BoardAsync(ApiHost api, long ballotId)
    {
        var response = await (await api.Client.GetAsync($"/api/ballots/{ballotId}/board")).AssertStatus(System.Net.HttpStatusCode.OK);
        return SealingJson.Deserialize<Board>(await response.Content.ReadAsStringAsync());
    }

    /// <summary>The board's sums added up again from its papers, in board order; checked against the board's own.</summary>
    public static IReadOnlyList<Ciphertext> RecomputedSums(Board board)
    {
        var sums = new List<Ciphertext>();
        foreach (var s in board.Sums)
        {
            var papers = board.Papers.Where(p => p.Constituency == s.Constituency).ToList();
            for (var k = 0; k < s.Options.Count; k++)
            {
                var sum = Ciphertext.Sum(papers.Select(p => p.Answers[s.Question].Options[k]));
                Assert.That(sum.Encode(), Is.EqualTo(s.Options[k].Encode()), $"the board's sum for {s.Constituency}, question {s.Question}, option {k}");
                sums.Add(sum);
            }
        }
        return sums;
    }


    /// <summary>One staff token and client per trustee seat (1 scrutineer, executives, 1 reserve), made once per host.</summary>
    public sealed record TrusteeSeat(string Role, string Name, long TokenId, string Token, HttpClient Client);

    private readonly ConcurrentDictionary<int, TrusteeSeat> _seats = new();

    public async Task<TrusteeSeat[]> TrusteeSeatsAsync(int trustees)
    {
        var seats = new TrusteeSeat[trustees];
        for (var i = 1; i <= trustees; i++)
        {
            var key = i == trustees ? 1000 : i;   // the reserve keeps its seat whatever the size of the ceremony
            if (!_seats.TryGetValue(key, out var seat))
                seat = _seats.GetOrAdd(key, await NewSeatAsync(Api.BaseAddress, i, trustees,
                    async (role, name) => await Api.Send(new Ballot.Core.Staff.CreateToken.Command(role, name))));
            seats[i - 1] = seat;
        }
        return seats;
    }

    /// <summary>Seat i of n: trustee 1 the scrutineer, n the reserve, the others executive members, each with a token of their own.</summary>
    public static async Task<TrusteeSeat> NewSeatAsync(Uri api, int i, int n, Func<string, string, Task<Ballot.Core.Staff.CreateToken.Created>> createToken)
    {
        var role = i == 1 ? "scrutineer" : i == n ? "reserve" : "executive";
        var name = role == "scrutineer" ? "Sam Scrutineer" : role == "reserve" ? "Rae Reserve" : $"Eve Executive {i - 1}";
        var created = await createToken(role == "scrutineer" ? "scrutineer" : "executive", name);
        var client = new HttpClient { BaseAddress = api };
        client.DefaultRequestHeaders.Authorization = new System.Net.Http.Headers.AuthenticationHeaderValue("Bearer", created.Token);
        return new TrusteeSeat(role, name, created.Id, created.Token, client);
    }

    /// <summary>The whole ceremony over HTTP with in-process trustees: name them, then announce, deal and confirm, each round relayed.</summary>
    public static async Task<Trustee[]> RunCeremonyAsync(HttpClient exec, IReadOnlyList<TrusteeSeat> seats, long ballotId, int threshold)
    {
        await (await exec.PutAsync($"/api/ballots/{ballotId}/trustees", Http.JsonBody(NamingJson(threshold, seats)))).AssertStatus(System.Net.HttpStatusCode.OK);
        var settings = new CeremonySettings(ballotId, threshold, seats.Count);
        var people = Enumerable.Range(1, seats.Count).Select(i => Trustee.Create(settings, i)).ToArray();
        foreach (var p in people) await PostRoundAsync(seats[p.Index - 1], ballotId, p.Index, "announcement", SealingJson.Serialize(p.Announce()));
        var announcements = RelayedAs<TrusteeAnnouncement>(await CeremonyStateAsync(exec, ballotId), "announcement");
        foreach (var p in people) await PostRoundAsync(seats[p.Index - 1], ballotId, p.Index, "dealing", SealingJson.Serialize(p.Deal(announcements)));
        var dealings = RelayedAs<DealerMessage>(await CeremonyStateAsync(exec, ballotId), "dealing");
        foreach (var p in people) await PostRoundAsync(seats[p.Index - 1], ballotId, p.Index, "confirmation", SealingJson.Serialize(p.Finish(announcements, dealings)));
        var state = await CeremonyStateAsync(exec, ballotId);
        if ((string?)state["stage"] != "complete" || (string?)state["fingerprint"] != people[0].Key.Fingerprint)
            throw new InvalidOperationException($"The ceremony of ballot {ballotId} did not complete: {state.ToJsonString()}");
        return people;
    }

    public static string NamingJson(int threshold, IEnumerable<TrusteeSeat> seats) =>
        new System.Text.Json.Nodes.JsonObject
        {
            ["threshold"] = threshold,
            ["trustees"] = new System.Text.Json.Nodes.JsonArray([.. seats.Select(s => (System.Text.Json.Nodes.JsonNode)new System.Text.Json.Nodes.JsonObject
                { ["role"] = s.Role, ["name"] = s.Name, ["tokenId"] = s.TokenId })]),
        }.ToJsonString();

    public static async Task PostRoundAsync(TrusteeSeat seat, long ballotId, int index, string round, string json) =>
        await (await seat.Client.PostAsync($"/api/ballots/{ballotId}/ceremony/trustees/{index}/{round}", Http.JsonBody(json))).AssertStatus(System.Net.HttpStatusCode.OK);

    public static async Task<System.Text.Json.Nodes.JsonNode> CeremonyStateAsync(HttpClient staff, long ballotId) =>
        await (await (await staff.GetAsync($"/api/ballots/{ballotId}/ceremony")).AssertStatus(System.Net.HttpStatusCode.OK)).ReadJson();

    public static T[] RelayedAs<T>(System.Text.Json.Nodes.JsonNode state, string round) =>
        [.. state["trustees"]!.AsArray().Select(t => SealingJson.Deserialize<T>(t![round]!.ToJsonString()))];
}
