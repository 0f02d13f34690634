using System.Net;
using Ballot.Core.Data;
using Ballot.Core.Staff;
using Ballot.Tests.Infrastructure;
using Dapper;

namespace Ballot.Tests.Ballots;

/// <summary>
/// A reader of the database must not link a member to a choice through what the engine keeps about
/// each row (PostgreSQL's xmin and ctid) or through the order papers are stored in.
/// </summary>
public sealed class SecrecyTests() : BallotApiTests(12, 3, s => s["Ballots:MixPapersAtLeast"] = "4")
{
    [Test]
    public async Task Papers_cast_in_separate_batches_share_no_transaction_id_with_their_voter_and_are_not_stored_in_voting_order()
    {
        var id = await Kit.OpenConsultative();
        var receipts = new List<string>();
        // One vote at a time: each its own batch, its own transaction.
        for (var i = 1; i <= 12; i++)
            receipts.Add(Compact(await Kit.VoteOk(id, $"M{i:D6}", i % 2 == 0 ? """{"boycott":"Yes"}""" : """{"boycott":"No"}""")));
        await WaitUntilMixed(id);
        await using (var conn = await Api.OpenAsync())
        {
            if (TestDatabase.Engine == Engine.Postgres)
            {
                var linked = await conn.QueryAsync("SELECT e.member_id, p.answers FROM ballot_elector e JOIN ballot_paper p ON p.xmin = e.xmin");
                Assert.That(linked, Is.Empty, "no paper shares its transaction id with an elector's claim");
                Assert.That(await conn.ExecuteScalarAsync<long>("SELECT COUNT(*) FROM ballot_paper WHERE ballot_id = @id", new { id }), Is.EqualTo(12),
                    "three groups of four were mixed while the ballot is open");
            }
            var stored = await StorageOrder(conn, id);
            Assert.That(stored, Is.EquivalentTo(receipts));
            Assert.That(stored, Is.Not.EqualTo(receipts), "papers are not stored in the order they were cast");
            if (TestDatabase.Engine == Engine.Postgres)
            {
                // Within each group of four mixed together, the order is random: not all three groups keep voting order.
                var groups = Enumerable.Range(0, 3).Select(g => stored.Skip(4 * g).Take(4).SequenceEqual(receipts.Skip(4 * g).Take(4)));
                Assert.That(groups, Has.Some.False);
            }
        }

        using var exec = await Api.ClientFor(Roles.Executive);
        await (await exec.PostAsync($"/api/ballots/{id}/close", null)).AssertStatus(HttpStatusCode.OK);
        await using (var conn = await Api.OpenAsync())
        {
            if (TestDatabase.Engine == Engine.Postgres)
            {
                Assert.That(await conn.QueryAsync("SELECT e.member_id FROM ballot_elector e JOIN ballot_paper p ON p.xmin = e.xmin"), Is.Empty);
                Assert.That(await conn.ExecuteScalarAsync<long>("SELECT COUNT(*) FROM ballot_paper_staged"), Is.Zero);
                // Closing rewrote every paper of the ballot in one transaction: they all share its id, none a voter's.
                Assert.That(await conn.ExecuteScalarAsync<long>("SELECT COUNT(DISTINCT xmin::text) FROM ballot_paper WHERE ballot_id = @id", new { id }), Is.EqualTo(1));
            }
            Assert.That(await StorageOrder(conn, id), Is.EquivalentTo(receipts));
            Assert.That(await conn.ExecuteScalarAsync<long>("SELECT COUNT(*) FROM ballot_paper WHERE ballot_id = @id AND answers LIKE '%Yes%'", new { id }), Is.EqualTo(6));
        }
    }

    [Test]
    public async Task A_paper_not_yet_mixed_is_still_recorded_counted_and_found_by_its_receipt()
    {
        var id = await Kit.OpenConsultative();
        var receipt = await Kit.VoteOk(id, "M000001", """{"boycott":"Yes"}""");
        await Kit.VoteOk(id, "M000002", """{"boycott":"No"}""");
        await using (var conn = await Api.OpenAsync())
        {
            if (TestDatabase.Engine == Engine.Postgres)
                Assert.That(await conn.ExecuteScalarAsync<long>("SELECT COUNT(*) FROM ballot_paper_staged WHERE ballot_id = @id", new { id }), Is.EqualTo(2),
                    "fewer than four: they wait in the staging table rather than be mixed in a group too small to hide in");
            Assert.That(await conn.ExecuteScalarAsync<long>("SELECT COUNT(*) FROM ballot_paper_cast WHERE ballot_id = @id", new { id }), Is.EqualTo(2));
        }
        var check = await (await Api.Client.GetAsync($"/api/ballots/{id}/receipts/{receipt}")).ReadJson();
        Assert.That((bool)check["recorded"]!, Is.True);

        using var exec = await Api.ClientFor(Roles.Executive);
        await (await exec.PostAsync($"/api/ballots/{id}/close", null)).AssertStatus(HttpStatusCode.OK);
        using var scrut = await Api.ClientFor(Roles.Scrutineer);
        var result = await (await (await scrut.GetAsync($"/api/ballots/{id}/result")).AssertStatus(HttpStatusCode.OK)).ReadJson();
        var boycott = result["result"]!["constituencies"]![0]!["questions"]![0]!;
        Assert.That(boycott["options"]!.AsArray().Select(o => ((string)o!["option"]!, (long)o["votes"]!)), Is.EqualTo(new[] { ("Yes", 1L), ("No", 1L) }));
        var counted = await (await Api.Client.GetAsync($"/api/ballots/{id}/receipts/{receipt}")).ReadJson();
        Assert.That(((bool)counted["recorded"]!, (bool)counted["counted"]!), Is.EqualTo((true, true)));
        Assert.That(await Kit.Scalar<long>("SELECT COUNT(*) FROM ballot_paper WHERE ballot_id = @id", new { id }), Is.EqualTo(2));
    }

    private static string Compact(string receipt) => receipt.Replace("-", "", StringComparison.Ordinal);

    /// <summary>Papers as a plain SELECT returns them in storage order: heap order on PostgreSQL, key order on SQLite.</summary>
    private static async Task<List<string>> StorageOrder(System.Data.Common.DbConnection conn, long id) =>
        (await conn.QueryAsync<string>(TestDatabase.Engine == Engine.Postgres
            ? "SELECT receipt FROM ballot_paper WHERE ballot_id = @id ORDER BY ctid"
            : "SELECT receipt FROM ballot_paper WHERE ballot_id = @id", new { id })).ToList();

    /// <summary>The vote writer mixes right after acknowledging a batch; wait for it rather than race it.</summary>
    private async Task WaitUntilMixed(long id)
    {
        if (TestDatabase.Engine != Engine.Postgres) return;
        for (var i = 0; i < 200; i++)
        {
            if (await Kit.Scalar<long>("SELECT COUNT(*) FROM ballot_paper_staged WHERE ballot_id = @id", new { id }) == 0) return;
            await Task.Delay(50);
        }
        Assert.Fail("staged papers were not mixed within 10 s");
    }
}
