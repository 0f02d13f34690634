using System.Net;
using Ballot.Tests.Infrastructure;

namespace Ballot.Tests.Ballots;

/// <summary>Behind a trusted proxy failures count per real client; IPv6 per /64.</summary>
public sealed class ForwardedClientTests
{
    private ApiHost _api = null!;
    private BallotKit _kit = null!;

    [SetUp]
    public async Task Start()
    {
        // The test client is on loopback, which is always a trusted proxy; 192.0.2.10 is configured like a real proxy would be.
        _api = await ApiHost.StartAsync(s =>
        {
            s["Ballots:FailedLookupsPerMinute"] = "3";
            s["ForwardedHeaders:KnownProxies"] = "192.0.2.10";
            s["ForwardedHeaders:KnownNetworks"] = "198.51.100.0/24";
        });
        _kit = new BallotKit(_api);
        await _kit.ImportMembers(MemberCsv.Generate(4, schools: 1));
    }

    [TearDown]
    public async Task Stop() => await _api.DisposeAsync();

    private async Task<HttpStatusCode> VoteFrom(string client, string credential)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, "/api/votes")
        {
            Content = Http.JsonBody($$"""{"credential":"{{credential}}","answers":{"boycott":"Yes"} }"""),
        };
        request.Headers.Add("X-Forwarded-For", client);
        using var response = await _api.Client.SendAsync(request);
        return response.StatusCode;
    }

    [Test]
    public async Task Guessing_behind_a_proxy_blocks_only_the_guessing_client()
    {
        var id = await _kit.OpenConsultative();
        for (var i = 0; i < 3; i++) Assert.That(await VoteFrom("203.0.113.7", $"guess{i:D17}"), Is.EqualTo(HttpStatusCode.NotFound));
        Assert.That(await VoteFrom("203.0.113.7", "guess00000000000000099"), Is.EqualTo(HttpStatusCode.TooManyRequests));
        Assert.That(await VoteFrom("203.0.113.8", await _kit.Credential(id, "M000002")), Is.EqualTo(HttpStatusCode.Created),
            "another member behind the same proxy still votes");
        Assert.That(await _kit.Scalar<long>("SELECT SUM(voted) FROM ballot_elector WHERE ballot_id = @id", new { id }), Is.EqualTo(1));
    }

    [Test]
    public async Task Ipv6_clients_share_one_budget_per_64()
    {
        var id = await _kit.OpenConsultative();
        Assert.That(await VoteFrom("2001:db8:1:2::1", "guess00000000000000001"), Is.EqualTo(HttpStatusCode.NotFound));
        Assert.That(await VoteFrom("2001:db8:1:2::2", "guess00000000000000002"), Is.EqualTo(HttpStatusCode.NotFound));
        Assert.That(await VoteFrom("2001:db8:1:2:aaaa::3", "guess00000000000000003"), Is.EqualTo(HttpStatusCode.NotFound));
        Assert.That(await VoteFrom("2001:db8:1:2:ffff::9", "guess00000000000000004"), Is.EqualTo(HttpStatusCode.TooManyRequests),
            "a new address in the same /64 is the same client");
        Assert.That(await VoteFrom("2001:db8:1:3::1", "guess00000000000000005"), Is.EqualTo(HttpStatusCode.NotFound),
            "the next /64 is another client");
    }

    [Test]
    public void Partitions_are_the_address_for_ipv4_and_the_64_for_ipv6()
    {
        Assert.That(Ballot.Api.Voting.CredentialGuard.Partition(IPAddress.Parse("203.0.113.7")), Is.EqualTo("203.0.113.7"));
        Assert.That(Ballot.Api.Voting.CredentialGuard.Partition(IPAddress.Parse("::ffff:203.0.113.7")), Is.EqualTo("203.0.113.7"));
        Assert.That(Ballot.Api.Voting.CredentialGuard.Partition(IPAddress.Parse("2001:db8:1:2:3:4:5:6")), Is.EqualTo("2001:db8:1:2::/64"));
    }
}
