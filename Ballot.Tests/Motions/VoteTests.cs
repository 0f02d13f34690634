using System.Net;
using Ballot.Core.Common;
using Ballot.Core.Motions;
using Ballot.Core.Staff;
using Ballot.Tests.Infrastructure;
using Dapper;

namespace Ballot.Tests.Motions;

public sealed class VoteCountTests
{
    private static string Card(long f, long a, long abstain = 0, bool twoThirds = false, string? result = null, long? total = null) =>
        VoteCount.Decide(new VoteInput("card", result, f, a, abstain, total), twoThirds);

    [Test]
    public void A_simple_majority_needs_more_for_than_against()
    {
        Assert.That(Card(101, 100), Is.EqualTo("carried"));
        Assert.That(Card(100, 100), Is.EqualTo("lost"), "a tie is lost");
        Assert.That(Card(5, 4, abstain: 1000), Is.EqualTo("carried"), "abstentions count neither way");
    }

    [Test]
    public void A_two_thirds_majority_needs_at_least_two_thirds_of_those_voting()
    {
        Assert.That(Card(200, 100, twoThirds: true), Is.EqualTo("carried"), "exactly two thirds");
        Assert.That(Card(199, 100, twoThirds: true), Is.EqualTo("lost"), "just under two thirds");
        Assert.That(Card(2, 1, abstain: 50, twoThirds: true), Is.EqualTo("carried"));
        Assert.That(Card(150_000_000, 70_000_000, twoThirds: true), Is.EqualTo("carried"), "large card votes do not overflow");
    }

    [Test]
    public void A_show_of_hands_is_what_the_chair_declared()
    {
        Assert.That(VoteCount.Decide(new VoteInput("show-of-hands", "carried", null, null, null, null), true), Is.EqualTo("carried"));
        Assert.That(VoteCount.Decide(new VoteInput("show-of-hands", "lost", null, null, null, null), false), Is.EqualTo("lost"));
    }

    private static IReadOnlyDictionary<string, string[]> Refused(VoteInput v, bool twoThirds = false) =>
        Assert.Throws<ValidationFailed>(() => VoteCount.Decide(v, twoThirds))!.Errors;

    [Test]
    public void Inconsistent_numbers_are_refused()
    {
        Assert.That(Refused(new("card", "carried", 100, 101, 0, null))["result"][0], Is.EqualTo("100 for and 101 against means the vote is lost, not carried."));
        Assert.That(Refused(new("card", "carried", 199, 100, 0, null), twoThirds: true)["result"][0], Does.Contain("is not a two-thirds majority"));
        Assert.That(Refused(new("card", null, 10, 5, 2, 18))["totalCast"][0], Is.EqualTo("For (10), against (5) and abstaining (2) add up to 17, not 18."));
        Assert.That(Refused(new("card", null, -1, 5, 0, null)).Keys, Does.Contain("for"));
        Assert.That(Refused(new("card", null, 0, 0, 7, null))["for"][0], Does.Contain("No votes were cast"));
        Assert.That(Refused(new("card", null, 10, null, 0, null)).Keys, Does.Contain("against"));
        Assert.That(Refused(new("show-of-hands", "carried", 10, 5, null, null))["method"][0], Does.Contain("has no numbers"));
        Assert.That(Refused(new("show-of-hands", null, null, null, null, null)).Keys, Does.Contain("result"));
        Assert.That(Refused(new("acclamation", "carried", null, null, null, null)).Keys, Does.Contain("method"));
    }
}

public sealed class MotionVoteTests : MotionApiTests
{
    [Test]
    public async Task A_rule_change_needing_two_thirds_is_lost_on_a_simple_majority_card_vote()
    {
        var id = (long)(await Exec.Motion(ConferenceId, "Conference amends Rule 12.", "Rule change", twoThirds: true))["id"]!;
        await Exec.Status(id, "debated");
        var m = await Exec.Vote($"/api/motions/{id}/vote", new { method = "card", @for = 60_000, against = 40_000, abstain = 1_000 });
        Assert.That((string?)m["status"], Is.EqualTo("lost"));
        Assert.That((bool?)m["needsTwoThirds"], Is.True);
        Assert.That((bool?)m["decision"]!["twoThirdsRequired"], Is.True);
        Assert.That(m["actionItems"]!.AsArray(), Is.Empty);
        await using var conn = await Api.OpenAsync();
        var row = await conn.QuerySingleAsync<(long For, long Against, long Abstain, string Result)>(
            "SELECT votes_for, votes_against, abstentions, result FROM motion_vote WHERE motion_id = @id", new { id });
        Assert.That(row, Is.EqualTo((60_000L, 40_000L, 1_000L, "lost")));
        Assert.That(await conn.ExecuteScalarAsync<string>("SELECT status FROM motion WHERE id = @id", new { id }), Is.EqualTo("lost"));
    }

    [Test]
    public async Task Inconsistent_card_vote_is_refused_and_changes_nothing()
    {
        var id = (long)(await Exec.Motion(ConferenceId, "Conference resolves."))["id"]!;
        await Exec.Status(id, "debated");
        var r = await (await Exec.Post($"/api/motions/{id}/vote", new { method = "card", result = "carried", @for = 10, against = 20, abstain = 0 }))
            .AssertProblem(HttpStatusCode.BadRequest);
        Assert.That(r["errors"]!["result"]![0]!.ToString(), Is.EqualTo("10 for and 20 against means the vote is lost, not carried."));
        await using var conn = await Api.OpenAsync();
        Assert.That(await conn.ExecuteScalarAsync<string>("SELECT status FROM motion WHERE id = @id", new { id }), Is.EqualTo("debated"));
        Assert.That(await conn.ExecuteScalarAsync<long>("SELECT COUNT(*) FROM motion_vote WHERE motion_id = @id", new { id }), Is.EqualTo(0));
    }
}
