using System.Net;
using Ballot.Core.Staff;
using Ballot.Tests.Infrastructure;

namespace Ballot.Tests.Ballots;

/// <summary>A double click or a retry must not apply a state change twice (PostgreSQL reads committed).</summary>
public sealed class TransitionRaceTests() : BallotApiTests(12, 3)
{
    [Test]
    public async Task Concurrent_closes_and_certifications_each_happen_once()
    {
        var id = await Kit.OpenConsultative();
        await Kit.VoteOk(id, "M000001", """{"boycott":"Yes"}""");
        await Kit.VoteOk(id, "M000002", """{"boycott":"No"}""");

        using var exec = await Api.ClientFor(Roles.Executive);
        var closes = await Task.WhenAll(Enumerable.Range(0, 8).Select(_ => exec.PostAsync($"/api/ballots/{id}/close", null)));
        Assert.That(closes.Count(r => r.StatusCode == HttpStatusCode.OK), Is.EqualTo(1), Breakdown(closes));
        Assert.That(closes.Count(r => r.StatusCode == HttpStatusCode.Conflict), Is.EqualTo(7), Breakdown(closes));
        await Kit.Count(id);

        using var scrut = await Api.ClientFor(Roles.Scrutineer);
        var certifies = await Task.WhenAll(Enumerable.Range(0, 8).Select(_ => scrut.PostAsync($"/api/ballots/{id}/certify", null)));
        Assert.That(certifies.Count(r => r.StatusCode == HttpStatusCode.OK), Is.EqualTo(1), Breakdown(certifies));
        Assert.That(certifies.Count(r => r.StatusCode == HttpStatusCode.Conflict), Is.EqualTo(7), Breakdown(certifies));

        Assert.That(await Kit.Scalar<long>("SELECT COUNT(*) FROM ballot_audit WHERE ballot_id = @id AND event = 'closed'", new { id }), Is.EqualTo(1));
        Assert.That(await Kit.Scalar<long>("SELECT COUNT(*) FROM ballot_audit WHERE ballot_id = @id AND event = 'counted'", new { id }), Is.EqualTo(1));
        Assert.That(await Kit.Scalar<long>("SELECT COUNT(*) FROM ballot_audit WHERE ballot_id = @id AND event = 'certified'", new { id }), Is.EqualTo(1));
        Assert.That(await Kit.Scalar<long>("SELECT COUNT(*) FROM mailing WHERE source = 'ballot' AND source_id = @id AND purpose = 'result-notice'", new { id }),
            Is.EqualTo(1), "one result notice to the electorate, not one per click");
        using var verify = await exec.GetAsync($"/api/ballots/{id}/audit/verify");
        Assert.That(await verify.Content.ReadAsStringAsync(), Does.Contain("\"intact\":true"));
    }

    [Test]
    public async Task Concurrent_opens_open_once_and_queue_one_voting_letter()
    {
        var id = await Kit.Create(BallotKit.Consultative(Kit.Now, Kit.Now.AddDays(10)));
        await TestTrustees.For(Api).CeremonyAsync(id);
        using var exec = await Api.ClientFor(Roles.Executive);
        var opens = await Task.WhenAll(Enumerable.Range(0, 6).Select(_ => exec.PostAsync($"/api/ballots/{id}/open", null)));
        Assert.That(opens.Count(r => r.StatusCode == HttpStatusCode.OK), Is.EqualTo(1), Breakdown(opens));
        Assert.That(opens.Count(r => r.StatusCode == HttpStatusCode.Conflict), Is.EqualTo(5), Breakdown(opens));
        Assert.That(await Kit.Scalar<long>("SELECT COUNT(*) FROM ballot_elector WHERE ballot_id = @id", new { id }), Is.EqualTo(12));
        Assert.That(await Kit.Scalar<long>("SELECT COUNT(*) FROM mailing WHERE source = 'ballot' AND source_id = @id AND purpose = 'voting-letter'", new { id }),
            Is.EqualTo(1));
    }

    private static string Breakdown(HttpResponseMessage[] responses) =>
        string.Join(", ", responses.GroupBy(r => (int)r.StatusCode).Select(g => $"{g.Key}: {g.Count()}"));
}
