using System.Net;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using Ballot.Core.Staff;
using Ballot.Tests.Ballots;
using Ballot.Tests.Infrastructure;
using Ballot.Tests.Mail;
using Dapper;

namespace Ballot.Tests.Members;

/// <summary>
/// Issue 11, flaw 1: an organiser changed a non-voter's email during a ballot, the next reminder carried the member's
/// link to the new address, the organiser voted and changed it back, and nothing recorded it. Now each elector's
/// address is frozen when the ballot opens, every change is recorded with who made it, an elector's change enters the
/// ballot's audit chain, and the old address is told.
/// </summary>
public sealed partial class MemberChangeTests() : BallotApiTests(4, 1)
{
    private const string Attacker = "organiser@elsewhere.example";

    [GeneratedRegex(@"/vote/([A-Za-z0-9_\-]{22})")]
    private static partial Regex VoteLink();

    private async Task<JsonNode> History(string membershipNumber)
    {
        using var exec = await Api.ClientFor(Roles.Executive);
        return await (await (await exec.GetAsync($"/api/members/{membershipNumber}/history")).AssertStatus(HttpStatusCode.OK)).ReadJson();
    }

    private async Task<List<JsonNode>> AuditEvents(long ballotId, string ev)
    {
        using var scrut = await Api.ClientFor(Roles.Scrutineer);
        var audit = (await (await (await scrut.GetAsync($"/api/ballots/{ballotId}/audit")).AssertStatus(HttpStatusCode.OK)).ReadJson()).AsArray();
        return audit.Where(e => (string)e!["event"]! == ev).Select(e => e!).ToList();
    }

    private async Task<bool> ChainIntact(long ballotId)
    {
        using var scrut = await Api.ClientFor(Roles.Scrutineer);
        return (bool)(await (await scrut.GetAsync($"/api/ballots/{ballotId}/audit/verify")).ReadJson())["intact"]!;
    }

    [Test]
    public async Task An_organiser_who_changes_a_non_voters_email_during_a_ballot_gets_no_reminder_and_leaves_a_trace()
    {
        var id = await Kit.OpenConsultative(reminders: "[7]");
        await Kit.VoteOk(id, "M000001", """{"boycott":"Yes"}""");

        using var org = await Api.ClientFor(Roles.Organiser);
        var changedAt = Kit.Now;
        await (await org.PatchAsync("/api/members/M000002", Http.JsonBody($$"""{"email":"{{Attacker}}"}"""))).AssertStatus(HttpStatusCode.OK);

        Api.Clock.Advance(TimeSpan.FromDays(3));   // 7 days before close: the reminder falls due
        Assert.That((await Kit.RunWorker()).Reminders, Is.EqualTo(1));

        // The real worker sends everything queued (voting letters, the notice, the reminder) to a real SMTP server.
        await using var smtp = await SmtpTestServer.StartAsync();
        await using (var worker = await WorkerHost.StartAsync(Api.Database.ConnectionString, c =>
        {
            smtp.AddTo(c);
            c["Mail:JournalFolder"] = Path.Combine(Api.Database.Folder ?? Path.GetTempPath(), "journal-" + Guid.NewGuid().ToString("N")[..8]);
            c["Mail:PublicBaseUrl"] = Api.BaseAddress.ToString().TrimEnd('/');
        }, s => s.AddSingleton<TimeProvider>(Api.Clock)))
        {
            foreach (var purpose in new[] { "voting-letter", "reminder" })
                await MailTestData.WaitForStatus(Api, await Kit.Scalar<long>("SELECT id FROM mailing WHERE purpose = @purpose", new { purpose }), "sent");
            var reminders = (await smtp.WaitForMessages(4 + 3)).Where(m => (m.Subject ?? "").StartsWith("Reminder")).ToList();
            Assert.That(reminders.SelectMany(m => m.To.Mailboxes).Select(a => a.Address), Has.None.EqualTo(Attacker), "no reminder goes to the new address");
            var reminder = reminders.Single(m => m.To.Mailboxes.Single().Address == "member2@example.org");
            var link = VoteLink().Match(reminder.TextBody ?? "").Groups[1].Value;
            Assert.That(link, Is.EqualTo(await Kit.Credential(id, "M000002")), "the member's own link, at the address frozen when the ballot opened");

            await MailTestData.WaitForStatus(Api, await Kit.Scalar<long>("SELECT id FROM mailing WHERE purpose = 'change-notice'"), "sent");
        }
        var letters = await smtp.WaitForMessages(4 + 3 + 1);
        Assert.That(letters.SelectMany(m => m.To.Mailboxes).Select(a => a.Address), Has.None.EqualTo(Attacker), "nothing goes to the new address");
        var notice = letters.Single(m => m.Subject == "A change to your membership record while a ballot is open");
        Assert.That(notice.To.Mailboxes.Single().Address, Is.EqualTo("member2@example.org"), "the old address is told");
        Assert.That(notice.TextBody ?? "", Does.Contain("email address").And.Contain("M000002").And.Not.Contain(Attacker).And.Not.Contain("/vote/"));

        // Who, when, old and new, for the executive.
        var changes = (await History("M000002"))["changes"]!.AsArray();
        Assert.That(changes, Has.Count.EqualTo(1));
        var change = changes[0]!;
        Assert.That((string)change["field"]!, Is.EqualTo("email"));
        Assert.That((string)change["oldValue"]!, Is.EqualTo("member2@example.org"));
        Assert.That((string)change["newValue"]!, Is.EqualTo(Attacker));
        Assert.That((string)change["via"]!, Is.EqualTo("api"));
        Assert.That(DateTimeOffset.Parse((string)change["at"]!), Is.EqualTo(changedAt));
        var tokenId = await Kit.Scalar<long>("SELECT id FROM staff_token WHERE name = 'Test organiser'");
        Assert.That((string)change["by"]!["kind"]!, Is.EqualTo("token"));
        Assert.That((string)change["by"]!["id"]!, Is.EqualTo(tokenId.ToString()));
        Assert.That((string)change["by"]!["name"]!, Is.EqualTo("Test organiser"));
        Assert.That((string)change["by"]!["role"]!, Is.EqualTo("organiser"));

        // The organiser changing it back is recorded too; the history is not theirs to read, nor the scrutineer's.
        await (await org.PatchAsync("/api/members/M000002", Http.JsonBody("""{"email":"member2@example.org"}"""))).AssertStatus(HttpStatusCode.OK);
        Assert.That((await History("M000002"))["changes"]!.AsArray().Select(c => (string)c!["newValue"]!), Is.EqualTo(new[] { Attacker, "member2@example.org" }));
        await (await org.GetAsync("/api/members/M000002/history")).AssertProblem(HttpStatusCode.Forbidden);
        using (var scrut = await Api.ClientFor(Roles.Scrutineer))
            await (await scrut.GetAsync("/api/members/M000002/history")).AssertProblem(HttpStatusCode.Forbidden);

        // The ballot's chain names the member and the staff member, never an address, and still verifies.
        var entries = await AuditEvents(id, "elector-changed");
        Assert.That(entries, Has.Count.EqualTo(2));
        Assert.That((string)entries[0]["actor"]!, Does.StartWith("organiser:Test organiser"));
        Assert.That(entries[0]["data"]!["members"]!.AsArray().Select(m => (string)m!), Is.EqualTo(new[] { "M000002" }));
        Assert.That((int)entries[0]["data"]!["email"]!, Is.EqualTo(1));
        Assert.That(entries.Select(e => e.ToJsonString()), Has.None.Contain("@"));
        Assert.That(await ChainIntact(id), Is.True);
        var member = await Kit.MemberId("M000002");
        Assert.That(await Kit.Scalar<string>("SELECT email FROM ballot_elector WHERE ballot_id = @id AND member_id = @member", new { id, member }),
            Is.EqualTo("member2@example.org"));
    }

    [Test]
    public async Task An_import_that_changes_electors_emails_and_statuses_is_recorded_and_moves_no_letter()
    {
        var id = await Kit.OpenConsultative(reminders: "[7]");
        var csv = MemberCsv.Generate(4, schools: 1)
            .Replace("member3@example.org", "new3@example.org")
            .Replace(MemberCsv.Header, MemberCsv.Header + ",status")
            .Replace("Region 0,teacher\n", "Region 0,teacher,active\n");
        csv = csv.Replace("M000004,First4,Last4,member4@example.org,School 0,Employer 0,Region 0,teacher,active",
                          "M000004,First4,Last4,member4@example.org,School 0,Employer 0,Region 0,teacher,lapsed");
        using (var org = await Api.ClientFor(Roles.Organiser))
        {
            var result = await (await (await org.PostAsync("/api/members/import", Http.Csv(csv))).AssertStatus(HttpStatusCode.OK)).ReadJson();
            Assert.That((int)result["updated"]!, Is.EqualTo(2));
        }

        // The reminder goes to the addresses the ballot froze.
        await using var conn = await Api.OpenAsync();
        Api.Clock.Advance(TimeSpan.FromDays(3));
        await Kit.RunWorker();
        var reminder = await Kit.Scalar<long>("SELECT id FROM mailing WHERE purpose = 'reminder'");
        Assert.That((await conn.QueryAsync<string>("SELECT email FROM mailing_recipient WHERE mailing_id = @reminder ORDER BY email", new { reminder })).ToList(),
            Is.EqualTo(new[] { "member1@example.org", "member2@example.org", "member3@example.org", "member4@example.org" }));

        var three = (await History("M000003"))["changes"]!.AsArray().Single()!;
        Assert.That(((string)three["field"]!, (string)three["oldValue"]!, (string)three["newValue"]!, (string)three["via"]!, (string)three["by"]!["name"]!),
            Is.EqualTo(("email", "member3@example.org", "new3@example.org", "import", "Test organiser")));
        var four = (await History("M000004"))["changes"]!.AsArray().Single()!;
        Assert.That(((string)four["field"]!, (string)four["oldValue"]!, (string)four["newValue"]!), Is.EqualTo(("status", "active", "lapsed")));
        Assert.That((await History("M000001"))["changes"]!.AsArray(), Is.Empty, "an unchanged row records nothing");

        var entry = (await AuditEvents(id, "elector-changed")).Single();
        Assert.That((string)entry["data"]!["via"]!, Is.EqualTo("import"));
        Assert.That(entry["data"]!["members"]!.AsArray().Select(m => (string)m!), Is.EqualTo(new[] { "M000003", "M000004" }));
        Assert.That(entry.ToJsonString(), Does.Not.Contain("@"));
        Assert.That(await ChainIntact(id), Is.True);

        // One notice each, to the address before the change.
        var notices = await Kit.Scalar<long>("SELECT id FROM mailing WHERE purpose = 'change-notice'");
        Assert.That((await conn.QueryAsync<string>("SELECT email FROM mailing_recipient WHERE mailing_id = @notices ORDER BY email", new { notices })).ToList(),
            Is.EqualTo(new[] { "member3@example.org", "member4@example.org" }));
    }

    [Test]
    public async Task Erasing_an_elector_during_a_ballot_is_recorded_and_leaves_no_address_behind()
    {
        using var org = await Api.ClientFor(Roles.Organiser);
        await (await org.PatchAsync("/api/members/M000002", Http.JsonBody("""{"email":"second2@example.org"}"""))).AssertStatus(HttpStatusCode.OK);
        var id = await Kit.OpenConsultative();
        await (await org.DeleteAsync("/api/members/M000002")).AssertStatus(HttpStatusCode.NoContent);
        await (await org.DeleteAsync("/api/members/M000002")).AssertStatus(HttpStatusCode.NoContent);   // twice: recorded once

        var changes = (await History("M000002"))["changes"]!.AsArray();
        Assert.That(changes.Select(c => (string)c!["field"]!), Is.EqualTo(new[] { "email", "erased" }));
        Assert.That(changes.Select(c => c!["oldValue"]?.GetValue<string>()), Is.All.Null, "erasure blanks the addresses the history held");
        Assert.That(changes.Select(c => c!["newValue"]?.GetValue<string>()), Is.All.Null);
        Assert.That((string)changes[1]!["by"]!["name"]!, Is.EqualTo("Test organiser"));

        var member = await Kit.MemberId("M000002");
        Assert.That(await Kit.Scalar<string?>("SELECT email FROM ballot_elector WHERE ballot_id = @id AND member_id = @member", new { id, member }), Is.Null);
        var entry = (await AuditEvents(id, "elector-changed")).Single();
        Assert.That((int)entry["data"]!["erased"]!, Is.EqualTo(1));
        Assert.That(await ChainIntact(id), Is.True);
        Assert.That(await Kit.Scalar<long>("SELECT COUNT(*) FROM mailing WHERE purpose = 'change-notice'"), Is.Zero, "no address is kept to tell");

        // The trail itself refuses to be rewritten.
        await using var conn = await Api.OpenAsync();
        Assert.That(async () => await conn.ExecuteAsync("UPDATE member_change SET staff_name = 'someone else' WHERE member_id = @member", new { member }), Throws.Exception);
        Assert.That(async () => await conn.ExecuteAsync("DELETE FROM member_change WHERE member_id = @member", new { member }), Throws.Exception);
    }

    [Test]
    public async Task A_change_outside_any_open_ballot_is_recorded_without_a_notice()
    {
        using var org = await Api.ClientFor(Roles.Organiser);
        await (await org.PatchAsync("/api/members/M000003", Http.JsonBody("""{"status":"lapsed","email":"member3@example.org"}"""))).AssertStatus(HttpStatusCode.OK);
        var changes = (await History("M000003"))["changes"]!.AsArray();
        Assert.That(changes.Select(c => ((string)c!["field"]!, (string)c["oldValue"]!, (string)c["newValue"]!)),
            Is.EqualTo(new[] { ("status", "active", "lapsed") }), "an email set to what it already was is no change");
        Assert.That(await Kit.Scalar<long>("SELECT COUNT(*) FROM mailing"), Is.Zero);
        using var exec = await Api.ClientFor(Roles.Executive);
        await (await exec.GetAsync("/api/members/NOPE/history")).AssertProblem(HttpStatusCode.NotFound);
    }
}
