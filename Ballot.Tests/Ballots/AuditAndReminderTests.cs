using System.Net;
using Ballot.Core.Staff;
using Ballot.Tests.Infrastructure;
using Dapper;

namespace Ballot.Tests.Ballots;

public sealed class AuditAndReminderTests() : BallotApiTests(6, 2)
{
    [Test]
    public async Task Every_state_change_enters_the_audit_chain_and_verify_finds_an_altered_row()
    {
        var id = await Kit.Create(BallotKit.Consultative(Kit.Now, Kit.Now.AddDays(10), reminders: "[7]"));
        using var exec = await Api.ClientFor(Roles.Executive);
        await exec.PutAsync($"/api/ballots/{id}", Http.JsonBody(BallotKit.Consultative(Kit.Now, Kit.Now.AddDays(10), reminders: "[7]")));
        await Kit.Open(id);
        await Kit.VoteOk(id, "M000001", """{"boycott":"Yes"}""");
        Api.Clock.Advance(TimeSpan.FromDays(3));
        await Kit.RunWorker();
        Api.Clock.Advance(TimeSpan.FromDays(7));
        await Kit.RunWorker();

        using var scrut = await Api.ClientFor(Roles.Scrutineer);
        var audit = (await (await (await scrut.GetAsync($"/api/ballots/{id}/audit")).AssertStatus(HttpStatusCode.OK)).ReadJson()).AsArray();
        Assert.That(audit.Select(e => (string)e!["event"]!), Is.EqualTo(new[] { "created", "edited", "trustees-named", "key-ceremony-completed", "opened", "letters-queued", "reminder-sent", "closed", "reminders-cancelled", "summed", "decryption-received", "decryption-received", "counted" }));
        var keyFingerprint = await Kit.Scalar<string>("SELECT fingerprint FROM ballot_ceremony WHERE ballot_id = @id", new { id });
        Assert.That((string)audit[3]!["data"]!["fingerprint"]!, Is.EqualTo(keyFingerprint).And.Length.EqualTo(64), "the key's fingerprint is in the chain before the ballot opens");
        var opened = audit[4]!;
        Assert.That((string)opened["data"]!["keyFingerprint"]!, Is.EqualTo(keyFingerprint));
        Assert.That((int)opened["data"]!["electorateSize"]!, Is.EqualTo(6));
        Assert.That((string)opened["data"]!["electorateHash"]!, Has.Length.EqualTo(64));
        Assert.That((string)audit[12]!["data"]!["resultHash"]!, Is.EqualTo(await Kit.Scalar<string>("SELECT result_hash FROM ballot WHERE id = @id", new { id })));
        for (var i = 1; i < audit.Count; i++) Assert.That((string)audit[i]!["prevHash"]!, Is.EqualTo((string)audit[i - 1]!["hash"]!));
        var ok = await (await scrut.GetAsync($"/api/ballots/{id}/audit/verify")).ReadJson();
        Assert.That((bool)ok["intact"]!, Is.True);

        // The table refuses changes; someone with SQL access removes that guard and rewrites the "opened" entry.
        await using (var conn = await Api.OpenAsync())
        {
            Assert.That(async () => await conn.ExecuteAsync("UPDATE ballot_audit SET actor = 'x' WHERE ballot_id = @id AND seq = 5", new { id }), Throws.Exception);
            if (TestDatabase.Engine == Ballot.Core.Data.Engine.Sqlite) await conn.ExecuteAsync("DROP TRIGGER ballot_audit_no_update");
            else await conn.ExecuteAsync("ALTER TABLE ballot_audit DISABLE TRIGGER ballot_audit_no_change");
            await conn.ExecuteAsync("""UPDATE ballot_audit SET data = replace(data, '"electorateSize":6', '"electorateSize":5') WHERE ballot_id = @id AND seq = 5""", new { id });
        }
        var broken = await (await scrut.GetAsync($"/api/ballots/{id}/audit/verify")).ReadJson();
        Assert.That((bool)broken["intact"]!, Is.False);
        Assert.That((long)broken["brokenAtSeq"]!, Is.EqualTo(5));
        Assert.That((string)broken["problem"]!, Does.Contain("Entry 5 (opened) was altered"));
        var refused = await (await scrut.PostAsync($"/api/ballots/{id}/certify", null)).AssertProblem(HttpStatusCode.Conflict);
        Assert.That((string)refused["detail"]!, Does.Contain("audit chain does not verify"));
        Assert.That(await Kit.Scalar<string>("SELECT status FROM ballot WHERE id = @id", new { id }), Is.EqualTo("closed"));
    }

    [Test]
    public async Task A_deleted_audit_entry_breaks_the_chain()
    {
        var id = await Kit.OpenConsultative();
        await using (var conn = await Api.OpenAsync())
        {
            if (TestDatabase.Engine == Ballot.Core.Data.Engine.Sqlite) await conn.ExecuteAsync("DROP TRIGGER ballot_audit_no_delete");
            else await conn.ExecuteAsync("ALTER TABLE ballot_audit DISABLE TRIGGER ballot_audit_no_change");
            await conn.ExecuteAsync("DELETE FROM ballot_audit WHERE ballot_id = @id AND seq = (SELECT MAX(seq) FROM ballot_audit WHERE ballot_id = @id)", new { id });
        }
        using var scrut = await Api.ClientFor(Roles.Scrutineer);
        var broken = await (await scrut.GetAsync($"/api/ballots/{id}/audit/verify")).ReadJson();
        Assert.That((bool)broken["intact"]!, Is.False);
    }

    [Test]
    public async Task Reminders_go_on_schedule_only_to_electors_who_have_not_voted_and_stop_at_close()
    {
        var id = await Kit.Create(BallotKit.Consultative(Kit.Now, Kit.Now.AddDays(10), reminders: "[7, 2]"));
        await Kit.Open(id);
        await Kit.VoteOk(id, "M000001", """{"boycott":"Yes"}""");
        await Kit.VoteOk(id, "M000002", """{"boycott":"No"}""");
        Assert.That((await Kit.RunWorker()).Reminders, Is.Zero, "not due yet");

        Api.Clock.Advance(TimeSpan.FromDays(3));          // 7 days before close
        Assert.That((await Kit.RunWorker()).Reminders, Is.EqualTo(1));
        Assert.That((await Kit.RunWorker()).Reminders, Is.Zero, "safe to run twice");
        await using var conn = await Api.OpenAsync();
        var first = await conn.QuerySingleAsync<long>("SELECT id FROM mailing WHERE source_id = @id AND purpose = 'reminder'", new { id });
        var to = (await conn.QueryAsync<string>("SELECT email FROM mailing_recipient WHERE mailing_id = @first ORDER BY email", new { first })).ToList();
        Assert.That(to, Is.EqualTo(new[] { "member3@example.org", "member4@example.org", "member5@example.org", "member6@example.org" }));
        var body = await conn.ExecuteScalarAsync<string>("SELECT body_markdown FROM mailing WHERE id = @first", new { first });
        Assert.That(body, Does.Contain("{{ vote_url }}").And.Contain("in 7 days"));

        await Kit.VoteOk(id, "M000003", """{"boycott":"Yes"}""");
        Api.Clock.Advance(TimeSpan.FromDays(5));          // 2 days before close
        Assert.That((await Kit.RunWorker()).Reminders, Is.EqualTo(1));
        var second = await conn.QuerySingleAsync<long>("SELECT MAX(id) FROM mailing WHERE source_id = @id AND purpose = 'reminder'", new { id });
        Assert.That(await conn.ExecuteScalarAsync<long>("SELECT COUNT(*) FROM mailing_recipient WHERE mailing_id = @second", new { second }), Is.EqualTo(3));

        // Closing cancels reminder letters not yet sent; no reminder is queued after close.
        Api.Clock.Advance(TimeSpan.FromDays(2));
        await Kit.RunWorker();
        Assert.That(await conn.ExecuteScalarAsync<long>(
            "SELECT COUNT(*) FROM mailing_recipient WHERE state = 'pending' AND mailing_id IN (SELECT id FROM mailing WHERE purpose = 'reminder')"), Is.Zero);
        Assert.That(await conn.ExecuteScalarAsync<long>("SELECT COUNT(*) FROM mailing WHERE purpose = 'reminder' AND status <> 'cancelled'"), Is.Zero);
        Assert.That((await Kit.RunWorker()).Reminders, Is.Zero);
    }
}
