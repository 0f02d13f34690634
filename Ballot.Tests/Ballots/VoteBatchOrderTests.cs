using System.Text.Json.Nodes;
using Ballot.Core.Ballots.Voting;
using Ballot.Core.Data;
using Ballot.Tests.Infrastructure;
using Dapper;
using Microsoft.Extensions.DependencyInjection;

namespace Ballot.Tests.Ballots;

/// <summary>
/// ADR 0913: two writers (two lanes, or two API processes) whose batches hold the same credentials in opposite orders
/// claim each credential once, and neither waits on the other in a cycle: a batch is claimed in key order whatever
/// order its votes arrived in, so PostgreSQL finds no deadlock and no batch is tried again.
/// </summary>
public sealed class VoteBatchOrderTests() : BallotApiTests(120, 3)
{
    [Test]
    public async Task Two_writers_with_the_same_credentials_in_opposite_orders_claim_each_once_without_a_deadlock()
    {
        var id = await Kit.OpenConsultative();
        var stores = Api.App.Services.GetRequiredService<VoteStores>();
        await using var first = await stores.OpenAsync();
        await using var second = await stores.OpenAsync();
        var answers = JsonNode.Parse("""{"boycott":"Yes","timing":"Spring term"}""")!.AsObject().ToDictionary(p => p.Key, p => (string?)p.Value);

        // Three rounds of 40 members: one writer gets them in the register's order, the other in reverse, both at once.
        for (var round = 0; round < 3; round++)
        {
            var votes = new List<(Vote A, Vote B)>();
            for (var i = 1 + 40 * round; i <= 40 * (round + 1); i++)
                votes.Add((await Kit.SealedVote(id, $"M{i:D6}", answers), await Kit.SealedVote(id, $"M{i:D6}", answers)));
            var a = votes.Select(v => new PendingVote(v.A)).ToList();
            var b = votes.Select(v => new PendingVote(v.B)).Reverse().ToList();
            await using (var holder = await Api.OpenAsync())
            {
                // PostgreSQL: the middle member's row is held elsewhere until both writers wait, so that their claims
                // overlap. Claiming in arrival order, each would then hold the half the other needs next: a deadlock.
                var middle = TestDatabase.Engine == Engine.Postgres ? await holder.BeginTransactionAsync() : null;
                if (middle is not null)
                    await holder.ExecuteAsync("SELECT 1 FROM ballot_elector WHERE ballot_id = @id AND member_id = @m FOR UPDATE",
                        new { id, m = votes[20].A.MemberId }, middle);
                var writes = Task.WhenAll(Task.Run(() => first.WriteAsync(a, Kit.Now)), Task.Run(() => second.WriteAsync(b, Kit.Now)));
                if (middle is not null)
                {
                    await WaitForLockWaiters(holder, middle, 2);
                    await middle.CommitAsync();
                }
                await writes;
            }

            var outcomes = (await Task.WhenAll(a.Select(v => v.Task))).Zip((await Task.WhenAll(b.Select(v => v.Task))).Reverse()).ToList();
            Assert.That(outcomes.Count(o => o.First.Outcome == VoteOutcome.Recorded ^ o.Second.Outcome == VoteOutcome.Recorded), Is.EqualTo(40),
                "each credential recorded by exactly one writer");
            Assert.That(outcomes.All(o => o.First.Outcome != VoteOutcome.NotOpen && o.Second.Outcome != VoteOutcome.NotOpen), Is.True);
        }

        Assert.That(await Kit.Scalar<long>("SELECT COUNT(*) FROM ballot_paper WHERE ballot_id = @id", new { id }), Is.EqualTo(120));
        Assert.That(await Kit.Scalar<long>("SELECT SUM(voted) FROM ballot_elector WHERE ballot_id = @id", new { id }), Is.EqualTo(120));
        Assert.That(Api.Logs.All, Does.Not.Contain("is tried again"), "no batch met a deadlock");
    }

    private static async Task WaitForLockWaiters(System.Data.Common.DbConnection conn, System.Data.Common.DbTransaction tx, int count)
    {
        for (var waited = 0; waited < 1000; waited++)
        {
            var waiting = await conn.ExecuteScalarAsync<long>(
                "SELECT COUNT(*) FROM pg_stat_activity WHERE datname = current_database() AND wait_event_type = 'Lock'", transaction: tx);
            if (waiting >= count) return;
            await Task.Delay(10);
        }
        Assert.Fail($"The two writers did not both come to wait on a row lock within 10 s.");
    }
}
