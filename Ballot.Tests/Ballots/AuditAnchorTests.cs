using System.Net;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json.Nodes;
using Ballot.Core.Ballots;
using Ballot.Core.Data;
using Ballot.Core.Staff;
using Ballot.Tests.Infrastructure;
using Dapper;

namespace Ballot.Tests.Ballots;

/// <summary>
/// Issue 11, flaw 2: an administrator with the database cuts the audit chain at its end (dropping the triggers, deleting
/// the last entries, lowering ballot.audit_seq) or tampers with electors, papers or the result. The result and the
/// scrutineer's signed certificate anchor the chain outside its rows; certification checks everything before it signs.
/// </summary>
public sealed class AuditAnchorTests() : BallotApiTests(6, 2)
{
    private const string Yes = """{"boycott":"Yes","timing":"Autumn term"}""";
    private const string No = """{"boycott":"No","timing":"Not at all"}""";

    [Test]
    public async Task Cutting_the_chain_end_before_certification_is_found_against_the_result_and_refused()
    {
        var id = await ClosedBallot();
        using var scrut = await Api.ClientFor(Roles.Scrutineer);
        var before = await Verify(scrut, id);
        Assert.That((bool)before["intact"]!, Is.True, before.ToJsonString());
        var audit = await Audit(id);
        Assert.That(Events(audit), Is.EqualTo(new[] { "created", "trustees-named", "key-ceremony-completed", "opened", "letters-queued", "closed", "summed", "decryption-received", "decryption-received", "counted" }));
        var result = await (await (await scrut.GetAsync($"/api/ballots/{id}/result")).AssertStatus(HttpStatusCode.OK)).ReadJson();

        // The administrator removes everything from "closed" to "counted" and lowers the counter: link by link, what is left is a valid chain.
        await AsAdministrator("DELETE FROM ballot_audit WHERE ballot_id = @id AND seq > 5; UPDATE ballot SET audit_seq = 5 WHERE id = @id", id);
        var broken = await Verify(scrut, id);
        Assert.That((bool)broken["intact"]!, Is.False, broken.ToJsonString());
        Assert.That((long)broken["entries"]!, Is.EqualTo(5));
        Assert.That((long)broken["brokenAtSeq"]!, Is.EqualTo(6));
        Assert.That((string)broken["problem"]!, Does.Contain("The chain ends at entry 5, but the result was counted after entry 9").And.Contain("removed from the chain's end"));

        var refused = await (await scrut.PostAsync($"/api/ballots/{id}/certify", null)).AssertProblem(HttpStatusCode.Conflict);
        Assert.That((string)refused["detail"]!, Does.Contain("audit chain does not verify").And.Contain("removed from the chain's end"));
        Assert.That(await Kit.Scalar<string>("SELECT status FROM ballot WHERE id = @id", new { id }), Is.EqualTo("closed"));
        Assert.That(await Kit.Scalar<long>("SELECT COUNT(*) FROM ballot_certificate WHERE ballot_id = @id", new { id }), Is.Zero);

        // The anchor it was found against: the result records the chain as it stood before "counted".
        Assert.That((long)before["resultAnchor"]!["length"]!, Is.EqualTo(9));
        Assert.That((string)before["resultAnchor"]!["head"]!, Is.EqualTo(Hash(audit, 9)));
        Assert.That((long)result["result"]!["auditLength"]!, Is.EqualTo(9));
        Assert.That((string)result["result"]!["auditHead"]!, Is.EqualTo(Hash(audit, 9)));
    }

    [Test]
    public async Task Cutting_only_the_counted_entry_is_found()
    {
        var id = await ClosedBallot();
        await AsAdministrator("DELETE FROM ballot_audit WHERE ballot_id = @id AND seq = 10; UPDATE ballot SET audit_seq = 9 WHERE id = @id", id);
        using var scrut = await Api.ClientFor(Roles.Scrutineer);
        var broken = await Verify(scrut, id);
        Assert.That((bool)broken["intact"]!, Is.False, broken.ToJsonString());
        Assert.That((string)broken["problem"]!, Does.Contain("removed from the chain's end"));
    }

    [Test]
    public async Task Emptying_the_chain_is_refused_by_the_database_and_found_once_the_triggers_are_dropped()
    {
        var id = await ClosedBallot();
        await using (var conn = await Api.OpenAsync())
        {
            // The guard the administrator must first remove: TRUNCATE on PostgreSQL (which skips row triggers), DELETE on SQLite.
            var empty = TestDatabase.Engine == Engine.Postgres ? "TRUNCATE ballot_audit" : "DELETE FROM ballot_audit";
            Assert.That(async () => await conn.ExecuteAsync(empty), Throws.Exception.With.Message.Contains("append-only"));
        }
        Assert.That(await Kit.Scalar<long>("SELECT COUNT(*) FROM ballot_audit WHERE ballot_id = @id", new { id }), Is.EqualTo(10));

        await AsAdministrator((TestDatabase.Engine == Engine.Postgres ? "TRUNCATE ballot_audit" : "DELETE FROM ballot_audit")
            + "; UPDATE ballot SET audit_seq = 0 WHERE id = @id", id);
        using var scrut = await Api.ClientFor(Roles.Scrutineer);
        var broken = await Verify(scrut, id);
        Assert.That((bool)broken["intact"]!, Is.False, broken.ToJsonString());
        Assert.That((long)broken["entries"]!, Is.Zero);
        Assert.That((string)broken["problem"]!, Does.Contain("no audit entries"));
        var refused = await (await scrut.PostAsync($"/api/ballots/{id}/certify", null)).AssertProblem(HttpStatusCode.Conflict);
        Assert.That((string)refused["detail"]!, Does.Contain("audit chain does not verify").And.Contain("no audit entries"));
    }

    [Test]
    public async Task The_certificate_signs_the_whole_chain_and_a_cut_or_forged_certificate_is_found()
    {
        var id = await ClosedBallot();
        using var scrut = await Api.ClientFor(Roles.Scrutineer);
        var certified = await (await (await scrut.PostAsync($"/api/ballots/{id}/certify", null)).AssertStatus(HttpStatusCode.OK)).ReadJson();
        var audit = await Audit(id);
        Assert.That(Events(audit), Is.EqualTo(new[] { "created", "trustees-named", "key-ceremony-completed", "opened", "letters-queued", "closed", "summed", "decryption-received", "decryption-received", "counted", "certified", "letters-queued" }));

        // Anyone checks the certificate with the published key alone, outside this system.
        var key = await (await (await Api.Client.GetAsync("/api/certification-key")).AssertStatus(HttpStatusCode.OK)).ReadJson();
        var published = await (await (await Api.Client.GetAsync($"/api/ballots/{id}/certificate")).AssertStatus(HttpStatusCode.OK)).ReadJson();
        Assert.That(published.ToJsonString(), Is.EqualTo(certified["certificate"]!.ToJsonString()));
        Assert.That((string)published["publicKey"]!, Is.EqualTo((string)key["publicKey"]!));
        Assert.That((string)published["algorithm"]!, Is.EqualTo("ECDSA P-256 SHA-256"));
        var statementText = (string)published["statement"]!;
        Assert.That(SignedBy(statementText, (string)published["signature"]!, (string)key["publicKey"]!), Is.True);
        var statement = JsonNode.Parse(statementText)!;
        Assert.That((long)statement["auditLength"]!, Is.EqualTo(12), "the certificate signs every entry, its own included");
        Assert.That((string)statement["auditHead"]!, Is.EqualTo(Hash(audit, 12)));
        Assert.That((string)statement["resultHash"]!, Is.EqualTo((string)certified["resultHash"]!));
        Assert.That((string)statement["keyFingerprint"]!, Is.EqualTo((string)key["fingerprint"]!));
        var ok = await Verify(scrut, id);
        Assert.That((bool)ok["intact"]!, Is.True, ok.ToJsonString());
        Assert.That((long)ok["certificateAnchor"]!["length"]!, Is.EqualTo(12));
        Assert.That((bool)ok["certificateSignatureValid"]!, Is.True);

        // Cut after certification: "certified" and the result notice's entry go, the counter follows.
        await AsAdministrator("DELETE FROM ballot_audit WHERE ballot_id = @id AND seq > 10; UPDATE ballot SET audit_seq = 10 WHERE id = @id", id);
        var cut = await Verify(scrut, id);
        Assert.That((bool)cut["intact"]!, Is.False, cut.ToJsonString());
        Assert.That((string)cut["problem"]!, Does.Contain("the certificate signs a chain of 12 entries"));

        // The administrator makes the stored certificate match the cut chain; the scrutineer's signature no longer verifies.
        var forged = statementText.Replace("\"auditLength\":12", "\"auditLength\":10").Replace(Hash(audit, 12), Hash(audit, 10));
        await AsAdministrator("UPDATE ballot_certificate SET statement = @forged WHERE ballot_id = @id", id, new { forged });
        var altered = await Verify(scrut, id);
        Assert.That((bool)altered["intact"]!, Is.False, altered.ToJsonString());
        Assert.That((bool)altered["certificateSignatureValid"]!, Is.False);
        Assert.That((string)altered["problem"]!, Does.Contain("signature does not verify"));
        Assert.That(SignedBy(forged, (string)published["signature"]!, (string)key["publicKey"]!), Is.False);

        // ... and signs it again with a key of their own: it verifies with that key, not with the published one.
        using var own = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var ownPem = own.ExportSubjectPublicKeyInfoPem();
        var ownSignature = Convert.ToBase64String(own.SignData(Encoding.UTF8.GetBytes(forged), HashAlgorithmName.SHA256, DSASignatureFormat.Rfc3279DerSequence));
        await AsAdministrator("UPDATE ballot_certificate SET signature = @ownSignature, public_key = @ownPem, key_fingerprint = 'attacker' WHERE ballot_id = @id",
            id, new { ownSignature, ownPem });
        var resigned = await Verify(scrut, id);
        Assert.That((bool)resigned["intact"]!, Is.False, resigned.ToJsonString());
        Assert.That((bool)resigned["certificateSignatureValid"]!, Is.False);
        Assert.That((string)resigned["problem"]!, Does.Contain("not with the published certification key"));
    }

    [Test]
    public async Task A_deleted_paper_refuses_certification_naming_the_constituency()
    {
        var id = await ClosedBallot(counting: "per-workplace", voters: 4);
        var (receipt, constituency) = await OnePaper(id);
        await AsAdministrator("DELETE FROM ballot_paper WHERE ballot_id = @id AND tracker = @receipt", id, new { receipt });
        var detail = await CertifyRefused(id);
        Assert.That(detail, Does.StartWith("Votes recorded do not match the ballot papers"));
        Assert.That(detail, Does.Contain($"constituency '{constituency.Name}': {constituency.Voted} electors are marked as having voted but {constituency.Voted - 1} ballot paper"));
    }

    [Test]
    public async Task An_added_paper_refuses_certification_naming_the_constituency()
    {
        var id = await ClosedBallot(counting: "per-workplace", voters: 4);
        var (_, constituency) = await OnePaper(id);
        var paper = await TestPapers.SealedAsync(Api, id, new Dictionary<string, string?> { ["boycott"] = "Yes", ["timing"] = "Autumn term" });
        await AsAdministrator("INSERT INTO ballot_paper (ballot_id, tracker, constituency, sealed) VALUES (@id, @tracker, @c, @sealed)", id,
            new { tracker = paper.Tracker, c = constituency.Id, @sealed = paper.Sealed });
        var detail = await CertifyRefused(id);
        Assert.That(detail, Does.Contain($"constituency '{constituency.Name}': {constituency.Voted} electors are marked as having voted but {constituency.Voted + 1} ballot papers were found"));
    }

    [Test]
    public async Task A_changed_elector_row_refuses_certification_on_the_electorate_hash()
    {
        var workplace = await Kit.Scalar<long>("SELECT MIN(workplace_id) FROM member");
        var id = await ClosedBallot(electorate: $$"""{"workplaceIds":[{{workplace}}]}""", voters: 2);
        // A member who did not vote is swapped for someone outside the electorate: the counts per constituency still agree.
        var nonVoter = await Kit.Scalar<long>("SELECT MIN(member_id) FROM ballot_elector WHERE ballot_id = @id AND voted = 0", new { id });
        var outsider = await Kit.Scalar<long>("SELECT MIN(id) FROM member WHERE workplace_id <> @workplace", new { workplace });
        await AsAdministrator("UPDATE ballot_elector SET member_id = @outsider WHERE ballot_id = @id AND member_id = @nonVoter", id, new { outsider, nonVoter });
        var detail = await CertifyRefused(id);
        Assert.That(detail, Does.StartWith("The electorate hash recomputed from the elector rows"));
        Assert.That(detail, Does.Contain("elector rows were added, removed or changed"));
    }

    [Test]
    public async Task A_paper_changed_after_the_count_refuses_certification_on_the_sums()
    {
        // A Yes swapped for a No sealed under the same key: no one can read either, but the papers no longer add up to what was decrypted.
        var id = await ClosedBallot();
        var no = await TestPapers.SealedAsync(Api, id, new Dictionary<string, string?> { ["boycott"] = "No", ["timing"] = "Autumn term" });
        await AsAdministrator("""
            UPDATE ballot_paper SET sealed = @sealed WHERE ballot_id = @id AND tracker = (SELECT MIN(tracker) FROM ballot_paper WHERE ballot_id = @id)
            """, id, new { @sealed = no.Sealed });
        var detail = await CertifyRefused(id);
        Assert.That(detail, Does.StartWith("The sums recomputed from the ballot papers differ from the sums the trustees decrypted"));
    }

    [Test]
    public async Task A_rewritten_result_with_its_hash_refuses_certification()
    {
        var id = await ClosedBallot();
        var json = await Kit.Scalar<string>("SELECT result FROM ballot_count WHERE ballot_id = @id", new { id });
        var rewritten = json.Replace("""{"option":"Yes","votes":2}""", """{"option":"Yes","votes":3}""").Replace("""{"option":"No","votes":1}""", """{"option":"No","votes":0}""");
        Assert.That(rewritten, Is.Not.EqualTo(json));
        await AsAdministrator("UPDATE ballot_count SET result = @rewritten WHERE ballot_id = @id; UPDATE ballot SET result_hash = @hash WHERE id = @id", id, new { rewritten, hash = BallotResult.HashOf(rewritten) });
        var detail = await CertifyRefused(id);
        Assert.That(detail, Does.Contain("The stored result is not the one entry 10 (counted) recorded"));
        using var scrut = await Api.ClientFor(Roles.Scrutineer);
        Assert.That((bool)(await Verify(scrut, id))["intact"]!, Is.False);
    }

    /// <summary>A consultative ballot over the register, closed early and counted: three votes by default, two Yes and one No.</summary>
    private async Task<long> ClosedBallot(string counting = "aggregated", string electorate = "{}", int voters = 3)
    {
        var id = await Kit.OpenConsultative(electorate, counting);
        await using var conn = await Api.OpenAsync();
        var members = (await conn.QueryAsync<string>("""
            SELECT m.membership_number FROM ballot_elector e JOIN member m ON m.id = e.member_id WHERE e.ballot_id = @id ORDER BY m.id
            """, new { id })).Take(voters).ToList();
        for (var i = 0; i < members.Count; i++) await Kit.VoteOk(id, members[i], i == 1 ? No : Yes);
        await Kit.CloseAndCount(id);
        return id;
    }

    private sealed record Constituency(string Id, string Name, long Voted);

    private async Task<(string Receipt, Constituency Constituency)> OnePaper(long id)
    {
        await using var conn = await Api.OpenAsync();
        // The constituency with the most votes, so "1 paper fewer" is still a plural sentence.
        var c = await conn.QueryFirstAsync<Constituency>("""
            SELECT c.constituency AS id, c.name AS name, (SELECT COUNT(*) FROM ballot_paper p WHERE p.ballot_id = c.ballot_id AND p.constituency = c.constituency) AS voted
            FROM ballot_constituency c WHERE c.ballot_id = @id ORDER BY voted DESC
            """, new { id });
        var receipt = await conn.ExecuteScalarAsync<string>("SELECT MIN(tracker) FROM ballot_paper WHERE ballot_id = @id AND constituency = @c", new { id, c = c.Id });
        return (receipt!, c);
    }

    private async Task<string> CertifyRefused(long id)
    {
        using var scrut = await Api.ClientFor(Roles.Scrutineer);
        var problem = await (await scrut.PostAsync($"/api/ballots/{id}/certify", null)).AssertProblem(HttpStatusCode.Conflict);
        Assert.That(await Kit.Scalar<string>("SELECT status FROM ballot WHERE id = @id", new { id }), Is.EqualTo("closed"), "nothing was certified");
        Assert.That(await Kit.Scalar<long>("SELECT COUNT(*) FROM mailing WHERE source_id = @id AND purpose = 'result-notice'", new { id }), Is.Zero);
        return (string)problem["detail"]!;
    }

    /// <summary>What someone holding the database can do: drop the append-only triggers, then change what they like.</summary>
    private async Task AsAdministrator(string sql, long id, object? args = null)
    {
        await using var conn = await Api.OpenAsync();
        if (TestDatabase.Engine == Engine.Sqlite)
            foreach (var t in new[] { "ballot_audit_no_update", "ballot_audit_no_delete", "ballot_certificate_no_update", "ballot_certificate_no_delete" })
                await conn.ExecuteAsync($"DROP TRIGGER IF EXISTS {t}");
        else
            await conn.ExecuteAsync("""
                DROP TRIGGER IF EXISTS ballot_audit_no_change ON ballot_audit; DROP TRIGGER IF EXISTS ballot_audit_no_truncate ON ballot_audit;
                DO $$ BEGIN IF to_regclass('ballot_certificate') IS NOT NULL THEN
                  DROP TRIGGER IF EXISTS ballot_certificate_no_change ON ballot_certificate; DROP TRIGGER IF EXISTS ballot_certificate_no_truncate ON ballot_certificate;
                END IF; END $$;
                """);
        var p = new DynamicParameters(args);
        p.Add("id", id);
        await conn.ExecuteAsync(sql, p);
    }

    private async Task<JsonNode> Verify(HttpClient client, long id) =>
        await (await (await client.GetAsync($"/api/ballots/{id}/audit/verify")).AssertStatus(HttpStatusCode.OK)).ReadJson();

    private async Task<JsonArray> Audit(long id)
    {
        using var exec = await Api.ClientFor(Roles.Executive);
        return (await (await (await exec.GetAsync($"/api/ballots/{id}/audit")).AssertStatus(HttpStatusCode.OK)).ReadJson()).AsArray();
    }

    private static string[] Events(JsonArray audit) => audit.Select(e => (string)e!["event"]!).ToArray();

    private static string Hash(JsonArray audit, int seq) => (string)audit.Single(e => (long)e!["seq"]! == seq)!["hash"]!;

    private static bool SignedBy(string statement, string signature, string publicKeyPem)
    {
        using var key = ECDsa.Create();
        key.ImportFromPem(publicKeyPem);
        return key.VerifyData(Encoding.UTF8.GetBytes(statement), Convert.FromBase64String(signature), HashAlgorithmName.SHA256, DSASignatureFormat.Rfc3279DerSequence);
    }
}
