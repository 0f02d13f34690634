using System.Diagnostics;
using System.Net;
using System.Text.Json.Nodes;
using Ballot.Core.Sealing;
using Ballot.Core.Staff;
using Ballot.Tests.Infrastructure;
using Dapper;

namespace Ballot.Tests.Ballots;

/// <summary>
/// Issue 17, the key ceremony over HTTP (ADR 0902): trustees named on the draft and bound to their own staff tokens,
/// three rounds relayed and checked, the key stored with its fingerprint in the audit chain, a reset, no opening without
/// a key (API and worker), and the trustee command as a real process.
/// </summary>
public sealed class KeyCeremonyTests
{
    private ApiHost _api = null!;
    private BallotKit _kit = null!;
    private HttpClient _exec = null!;
    private TestTrustees _trustees = null!;

    [OneTimeSetUp]
    public async Task Start()
    {
        _api = await ApiHost.StartAsync();
        _kit = new BallotKit(_api);
        _exec = await _api.ClientFor(Roles.Executive);
        _trustees = TestTrustees.For(_api);
        await _kit.ImportMembers(MemberCsv.Generate(12, schools: 2));
    }

    [OneTimeTearDown]
    public async Task Stop()
    {
        _exec.Dispose();
        await _api.DisposeAsync();
    }

    private Task<long> Draft(DateTimeOffset? opens = null) => _kit.Create(BallotKit.Consultative(opens ?? _kit.Now, _kit.Now.AddDays(10)));

    private static Task<HttpResponseMessage> Post(HttpClient client, long id, int trustee, string round, string json) =>
        client.PostAsync($"/api/ballots/{id}/ceremony/trustees/{trustee}/{round}", Http.JsonBody(json));

    private async Task<JsonNode> State(long id) => await TestTrustees.CeremonyStateAsync(_exec, id);

    [Test]
    public async Task A_two_of_three_ceremony_over_http_checks_every_round_stores_the_key_and_audits_its_fingerprint()
    {
        var id = await Draft();
        var refused = await (await _exec.PostAsync($"/api/ballots/{id}/open", null)).AssertProblem(HttpStatusCode.Conflict);
        Assert.That((string)refused["detail"]!, Does.Contain("cannot open before its key ceremony is complete").And.Contain("no trustees are named"));

        var seats = await _trustees.TrusteeSeatsAsync(3);
        var named = await (await (await _exec.PutAsync($"/api/ballots/{id}/trustees", Http.JsonBody(TestTrustees.NamingJson(2, seats))))
            .AssertStatus(HttpStatusCode.OK)).ReadJson();
        Assert.That(((string)named["stage"]!, (int)named["threshold"]!, (int)named["trusteeCount"]!), Is.EqualTo(("announcing", 2, 3)));
        Assert.That(named["trustees"]!.AsArray().Select(t => (string)t!["role"]!), Is.EqualTo(new[] { "scrutineer", "executive", "reserve" }));

        var settings = new CeremonySettings(id, 2, 3);
        var people = Enumerable.Range(1, 3).Select(i => Trustee.Create(settings, i)).ToArray();
        var local = people.Select(p => p.Announce()).ToArray();
        await (await Post(seats[0].Client, id, 1, "announcement", SealingJson.Serialize(local[0]))).AssertStatus(HttpStatusCode.OK);

        // Out of order: no dealing before every announcement, and opening says whom the ceremony waits for.
        var early = await (await Post(seats[0].Client, id, 1, "dealing", SealingJson.Serialize(people[0].Deal(local)))).AssertProblem(HttpStatusCode.Conflict);
        Assert.That((string)early["detail"]!, Does.Contain("waits for trustee 2 (Eve Executive 1), trustee 3 (Rae Reserve) to announce"));
        refused = await (await _exec.PostAsync($"/api/ballots/{id}/open", null)).AssertProblem(HttpStatusCode.Conflict);
        Assert.That((string)refused["detail"]!, Does.Contain("it waits for trustee 2 (Eve Executive 1), trustee 3 (Rae Reserve) to announce"));

        // Nobody but trustee 2's own token speaks for trustee 2: not another trustee, not the executive.
        foreach (var other in new[] { seats[2].Client, _exec })
        {
            var forbidden = await (await Post(other, id, 2, "announcement", SealingJson.Serialize(local[1]))).AssertProblem(HttpStatusCode.Forbidden);
            Assert.That((string)forbidden["detail"]!, Does.Contain("Only trustee 2 (Eve Executive 1)"));
        }

        // Tampered or unreadable messages are refused, naming the trustee; none is stored.
        var stolenProof = local[1] with { TransportProof = local[2].TransportProof };
        var tampered = await (await Post(seats[1].Client, id, 2, "announcement", SealingJson.Serialize(stolenProof))).AssertProblem(HttpStatusCode.UnprocessableEntity);
        Assert.That(((int)tampered["trustee"]!, (string)tampered["detail"]!), Is.EqualTo((2, "Trustee 2's transport key proof does not verify.")));
        await (await Post(seats[1].Client, id, 2, "announcement", "{\"trustee\":2,")).AssertProblem(HttpStatusCode.BadRequest);
        var missing = await (await Post(seats[1].Client, id, 2, "announcement", "{\"trustee\":2}")).AssertProblem(HttpStatusCode.BadRequest);
        Assert.That((string)missing["errors"]!["announcement"]![0]!, Does.StartWith("Trustee 2's announcement cannot be read").And.Contain("transportKey").And.Not.Contain("Ballot.Core"));
        var notAPoint = SealingJson.Serialize(local[1]).Replace(Convert.ToBase64String(local[1].TransportKey.Encode()), Convert.ToBase64String(new byte[33].Select(_ => (byte)5).ToArray()));
        await (await Post(seats[1].Client, id, 2, "announcement", notAPoint)).AssertProblem(HttpStatusCode.BadRequest);
        var mislabelled = await (await Post(seats[1].Client, id, 2, "announcement", SealingJson.Serialize(local[2]))).AssertProblem(HttpStatusCode.BadRequest);
        Assert.That((string)mislabelled["errors"]!["trustee"]![0]!, Is.EqualTo("This announcement is trustee 3's, not trustee 2's."));
        Assert.That(await _kit.Scalar<long>("SELECT COUNT(*) FROM ballot_trustee WHERE ballot_id = @id AND announcement IS NOT NULL", new { id }), Is.EqualTo(1));

        await (await Post(seats[1].Client, id, 2, "announcement", SealingJson.Serialize(local[1]))).AssertStatus(HttpStatusCode.OK);
        await (await Post(seats[2].Client, id, 3, "announcement", SealingJson.Serialize(local[2]))).AssertStatus(HttpStatusCode.OK);
        // The same message again is a harmless retry; a different one is refused, and the trustees cannot be renamed now.
        await (await Post(seats[1].Client, id, 2, "announcement", SealingJson.Serialize(local[1]))).AssertStatus(HttpStatusCode.OK);
        await (await Post(seats[1].Client, id, 2, "announcement", SealingJson.Serialize(Trustee.Create(settings, 2).Announce()))).AssertProblem(HttpStatusCode.Conflict);
        var rename = await (await _exec.PutAsync($"/api/ballots/{id}/trustees", Http.JsonBody(TestTrustees.NamingJson(2, seats)))).AssertProblem(HttpStatusCode.Conflict);
        Assert.That((string)rename["detail"]!, Does.Contain("reset it before naming other trustees"));

        var announcements = TestTrustees.RelayedAs<TrusteeAnnouncement>(await State(id), "announcement");
        var dealings = people.Select(p => p.Deal(announcements)).ToArray();
        var waiting = await (await Post(seats[0].Client, id, 1, "confirmation", "{\"trustee\":1,\"fingerprint\":\"00\",\"shareProof\":{\"challenge\":\"AA==\",\"response\":\"AA==\"}}"))
            .AssertProblem(HttpStatusCode.BadRequest);
        Assert.That((string)waiting["errors"]!["confirmation"]![0]!, Does.StartWith("Trustee 1's confirmation cannot be read"));
        // A dealing whose commitments are not the ones trustee 2 announced.
        var swapped = dealings[1] with { Commitments = dealings[2].Commitments };
        var forged = await (await Post(seats[1].Client, id, 2, "dealing", SealingJson.Serialize(swapped))).AssertProblem(HttpStatusCode.UnprocessableEntity);
        Assert.That(((int)forged["trustee"]!, (string)forged["detail"]!), Is.EqualTo((2, "Trustee 2's commitments differ from those it announced.")));
        await (await Post(seats[0].Client, id, 1, "dealing", SealingJson.Serialize(dealings[0]))).AssertStatus(HttpStatusCode.OK);
        await (await Post(seats[1].Client, id, 2, "dealing", SealingJson.Serialize(dealings[1]))).AssertStatus(HttpStatusCode.OK);
        var notYet = await (await Post(seats[0].Client, id, 1, "confirmation", SealingJson.Serialize(new TrusteeConfirmation(1, "x", local[0].TransportProof))))
            .AssertProblem(HttpStatusCode.Conflict);
        Assert.That((string)notYet["detail"]!, Does.Contain("waits for trustee 3 (Rae Reserve) to deal"));
        await (await Post(seats[2].Client, id, 3, "dealing", SealingJson.Serialize(dealings[2]))).AssertStatus(HttpStatusCode.OK);

        var state = await State(id);
        Assert.That((string)state["stage"]!, Is.EqualTo("confirming"));
        var confirmations = people.Select(p => p.Finish(announcements, TestTrustees.RelayedAs<DealerMessage>(state, "dealing"))).ToArray();
        var wrongKey = await (await Post(seats[0].Client, id, 1, "confirmation", SealingJson.Serialize(confirmations[0] with { Fingerprint = new string('0', 64) })))
            .AssertProblem(HttpStatusCode.UnprocessableEntity);
        Assert.That(((int)wrongKey["trustee"]!, (string)wrongKey["detail"]!), Is.EqualTo((1, $"Trustee 1 computed a different key ({new string('0', 64)}).")));
        foreach (var p in people)
            await (await Post(seats[p.Index - 1].Client, id, p.Index, "confirmation", SealingJson.Serialize(confirmations[p.Index - 1]))).AssertStatus(HttpStatusCode.OK);

        // The key: the one every trustee computed, in ballot_ceremony and, by its fingerprint, in the audit chain.
        var key = people[0].Key;
        Assert.That(people.Select(p => p.Key.Fingerprint).Distinct(), Is.EqualTo(new[] { key.Fingerprint }));
        state = await State(id);
        Assert.That(((string)state["stage"]!, (string)state["fingerprint"]!), Is.EqualTo(("complete", key.Fingerprint)));
        await using (var conn = await _api.OpenAsync())
        {
            var row = await conn.QuerySingleAsync<(string PublicKey, string VerificationKeys, string Fingerprint, string CompletedAt)>(
                "SELECT public_key, verification_keys, fingerprint, CAST(completed_at AS TEXT) FROM ballot_ceremony WHERE ballot_id = @id", new { id });
            Assert.That(row.PublicKey, Is.EqualTo(Convert.ToBase64String(key.PublicKey.Encode())));
            Assert.That(row.VerificationKeys, Is.EqualTo(SealingJson.Serialize(key.VerificationKeys)));
            Assert.That(row.Fingerprint, Is.EqualTo(BallotKey.FingerprintOf(key.PublicKey)));
            Assert.That(row.CompletedAt, Is.Not.Null);
        }
        var audit = (await (await _exec.GetAsync($"/api/ballots/{id}/audit")).ReadJson()).AsArray();
        Assert.That(audit.Select(e => (string)e!["event"]!), Is.EqualTo(new[] { "created", "trustees-named", "key-ceremony-completed" }));
        Assert.That((string)audit[2]!["data"]!["fingerprint"]!, Is.EqualTo(key.Fingerprint));
        Assert.That((string)audit[2]!["actor"]!, Is.EqualTo("executive:Rae Reserve"), "the last trustee to confirm completed it");
        Assert.That((int)audit[1]!["data"]!["trustees"]![0]!["tokenId"]!, Is.EqualTo((int)seats[0].TokenId));
        await (await Post(seats[2].Client, id, 3, "confirmation", SealingJson.Serialize(confirmations[2]))).AssertProblem(HttpStatusCode.Conflict);

        var opened = await (await (await _exec.PostAsync($"/api/ballots/{id}/open", null)).AssertStatus(HttpStatusCode.OK)).ReadJson();
        Assert.That((int)opened["electorateSize"]!, Is.EqualTo(12));
        var openedEntry = (await (await _exec.GetAsync($"/api/ballots/{id}/audit")).ReadJson()).AsArray().Single(e => (string)e!["event"]! == "opened")!;
        Assert.That((string)openedEntry["data"]!["keyFingerprint"]!, Is.EqualTo(key.Fingerprint));
        Assert.That((bool)(await (await _exec.GetAsync($"/api/ballots/{id}/audit/verify")).ReadJson())["intact"]!, Is.True);
        await (await _exec.PostAsync($"/api/ballots/{id}/ceremony/reset", null)).AssertProblem(HttpStatusCode.Conflict);
    }

    [Test]
    public async Task A_reset_drops_the_messages_and_the_key_and_the_trustees_can_then_be_named_again()
    {
        var id = await Draft(_kit.Now.AddDays(1));
        await _trustees.CeremonyAsync(id);
        var first = await _kit.Scalar<string>("SELECT fingerprint FROM ballot_ceremony WHERE ballot_id = @id", new { id });

        using (var organiser = await _api.ClientFor(Roles.Organiser))
            await (await organiser.PostAsync($"/api/ballots/{id}/ceremony/reset", null)).AssertProblem(HttpStatusCode.Forbidden);
        var reset = await (await (await _exec.PostAsync($"/api/ballots/{id}/ceremony/reset", Http.JsonBody("""{"reason":"The reserve lost her laptop."}""")))
            .AssertStatus(HttpStatusCode.OK)).ReadJson();
        Assert.That(((string)reset["stage"]!, (string?)reset["fingerprint"]), Is.EqualTo(("announcing", (string?)null)));
        Assert.That(await _kit.Scalar<long>("SELECT COUNT(*) FROM ballot_trustee WHERE ballot_id = @id AND (announcement IS NOT NULL OR dealing IS NOT NULL OR confirmation IS NOT NULL)", new { id }), Is.Zero);
        Assert.That(await _kit.Scalar<long>("SELECT COUNT(*) FROM ballot_ceremony WHERE ballot_id = @id AND public_key IS NULL AND completed_at IS NULL", new { id }), Is.EqualTo(1));
        var entry = (await (await _exec.GetAsync($"/api/ballots/{id}/audit")).ReadJson()).AsArray()[^1]!;
        Assert.That((string)entry["event"]!, Is.EqualTo("key-ceremony-reset"));
        Assert.That(((string)entry["data"]!["droppedFingerprint"]!, (string)entry["data"]!["reason"]!), Is.EqualTo((first, "The reserve lost her laptop.")));
        await (await _exec.PostAsync($"/api/ballots/{id}/ceremony/reset", null)).AssertProblem(HttpStatusCode.Conflict);
        _api.Clock.Advance(TimeSpan.FromDays(1));
        await (await _exec.PostAsync($"/api/ballots/{id}/open", null)).AssertProblem(HttpStatusCode.Conflict);

        // Naming is checked: t of n, one scrutineer with a scrutineer's token, a token per trustee.
        var seats = await _trustees.TrusteeSeatsAsync(4);
        async Task<string> Refused(string json) =>
            (await (await _exec.PutAsync($"/api/ballots/{id}/trustees", Http.JsonBody(json))).AssertProblem(HttpStatusCode.BadRequest)).ToJsonString();
        Assert.That(await Refused(TestTrustees.NamingJson(1, seats)), Does.Contain("threshold must be from 2 to 3"));
        Assert.That(await Refused(TestTrustees.NamingJson(4, seats)), Does.Contain("threshold must be from 2 to 3"));
        Assert.That(await Refused(TestTrustees.NamingJson(2, [seats[0], seats[0], seats[1], seats[3]])), Does.Contain("Exactly one trustee is the scrutineer").And.Contain("token of their own"));
        Assert.That(await Refused(TestTrustees.NamingJson(2, [seats[1] with { Role = "scrutineer" }, seats[2], seats[3]])), Does.Contain("must have the scrutineer role"));
        Assert.That(await Refused("""{"trustees":[{"role":"chair","name":"","tokenId":0}]}"""), Does.Contain("Name 3 to 32 trustees").And.Contain("trustees[0].role"));
        await (await _exec.PutAsync($"/api/ballots/{id}/trustees", Http.JsonBody("{\"trustees\":"))).AssertProblem(HttpStatusCode.BadRequest);

        await TestTrustees.RunCeremonyAsync(_exec, seats, id, threshold: 3);
        var second = await State(id);
        Assert.That(((int)second["threshold"]!, (int)second["trusteeCount"]!), Is.EqualTo((3, 4)));
        Assert.That((string)second["fingerprint"]!, Is.Not.EqualTo(first).And.Length.EqualTo(64));
        await (await _exec.PostAsync($"/api/ballots/{id}/open", null)).AssertStatus(HttpStatusCode.OK);
    }

    [Test]
    public async Task A_due_draft_without_a_key_stays_a_draft_and_the_worker_still_opens_the_others()
    {
        var keyless = await Draft();
        var ready = await Draft();
        await _trustees.CeremonyAsync(ready);
        await _kit.RunWorker(ceremonies: false);   // a ballot that cannot open is logged, not a failed job
        Assert.That(await _kit.Scalar<string>("SELECT status FROM ballot WHERE id = @keyless", new { keyless }), Is.EqualTo("draft"));
        Assert.That(await _kit.Scalar<string>("SELECT status FROM ballot WHERE id = @ready", new { ready }), Is.EqualTo("open"));
        Assert.That(_api.Logs.All, Does.Contain($"Ballot {keyless} is due to open but cannot: The ballot cannot open before its key ceremony is complete"));
    }

    [Test]
    public async Task The_trustee_command_takes_one_trustee_through_the_ceremony_and_its_share_file_needs_the_passphrase()
    {
        var id = await Draft(_kit.Now.AddDays(2));
        var seats = await _trustees.TrusteeSeatsAsync(3);
        await (await _exec.PutAsync($"/api/ballots/{id}/trustees", Http.JsonBody(TestTrustees.NamingJson(2, seats)))).AssertStatus(HttpStatusCode.OK);
        var folder = Path.Combine(_api.Database.Folder ?? Path.GetTempPath(), $"trustee-{id}");
        Directory.CreateDirectory(folder);
        var file = Path.Combine(folder, "share.json");
        const string passphrase = "reserve's long passphrase";
        var api = _api.BaseAddress.ToString();

        // With another trustee's token the server refuses, and no share file is left behind to be reused.
        var stranger = await Cli(seats[0].Token, passphrase, "init", "--api", api, "--ballot", $"{id}", "--trustee", "3", "--file", file);
        Assert.That(stranger.Code, Is.EqualTo(1));
        Assert.That(stranger.Error, Does.Contain("The server refused (403): Only trustee 3 (Rae Reserve)"));
        Assert.That(File.Exists(file), Is.False);

        var init = await Cli(seats[2].Token, passphrase, "init", "--api", api, "--ballot", $"{id}", "--trustee", "3", "--file", file);
        Assert.That(init.Code, Is.Zero, init.Error);
        Assert.That(init.Output, Does.Contain("you are trustee 3 of 3 (reserve, Rae Reserve); any 2 can count the votes"));
        if (!OperatingSystem.IsWindows())
            Assert.That(File.GetUnixFileMode(file), Is.EqualTo(UnixFileMode.UserRead | UnixFileMode.UserWrite), "the share file is its owner's alone");
        var early = await Cli(seats[2].Token, passphrase, "deal", "--api", api, "--file", file);
        Assert.That(early.Code, Is.EqualTo(1));
        Assert.That(early.Error, Does.Contain("Waiting for trustee 1 (Sam Scrutineer), trustee 2 (Eve Executive 1) to announce"));

        var settings = new CeremonySettings(id, 2, 3);
        var others = new[] { Trustee.Create(settings, 1), Trustee.Create(settings, 2) };
        foreach (var p in others) await TestTrustees.PostRoundAsync(seats[p.Index - 1], id, p.Index, "announcement", SealingJson.Serialize(p.Announce()));
        var deal = await Cli(seats[2].Token, passphrase, "deal", "--api", api, "--file", file);
        Assert.That(deal.Code, Is.Zero, deal.Error);
        var announcements = TestTrustees.RelayedAs<TrusteeAnnouncement>(await State(id), "announcement");
        foreach (var p in others) await TestTrustees.PostRoundAsync(seats[p.Index - 1], id, p.Index, "dealing", SealingJson.Serialize(p.Deal(announcements)));
        var finish = await Cli(seats[2].Token, passphrase, "finish", "--api", api, "--file", file);
        Assert.That(finish.Code, Is.Zero, finish.Error);
        var dealings = TestTrustees.RelayedAs<DealerMessage>(await State(id), "dealing");
        foreach (var p in others) await TestTrustees.PostRoundAsync(seats[p.Index - 1], id, p.Index, "confirmation", SealingJson.Serialize(p.Finish(announcements, dealings)));

        var state = await State(id);
        var key = others[0].Key;
        Assert.That(((string)state["stage"]!, (string)state["fingerprint"]!), Is.EqualTo(("complete", key.Fingerprint)));
        Assert.That(finish.Output, Does.Contain($"The key's fingerprint is {key.Fingerprint}"));

        // The file holds trustee 3's share (the one behind its verification key), the key, and no polynomial; it opens only with the passphrase.
        var bytes = await File.ReadAllBytesAsync(file);
        Assert.That(() => ShareFile.Read(bytes, "not the reserve's passphrase"), Throws.TypeOf<WrongPassphraseException>());
        var secrets = ShareFile.Read(bytes, passphrase);
        Assert.That((secrets.Trustee, secrets.Polynomial, secrets.Key!.Fingerprint), Is.EqualTo((3, (IReadOnlyList<Ballot.Core.Sealing.Scalar>?)null, key.Fingerprint)));
        Assert.That(Group.Generator.Multiply(secrets.Share!), Is.EqualTo(key.VerificationKey(3)));
        Assert.That(File.Exists(file + ".new"), Is.False);
        var again = await Cli(seats[2].Token, passphrase, "finish", "--api", api, "--file", file);
        Assert.That(again.Code, Is.Zero, again.Error);
        Assert.That(again.Output, Does.Contain("already finished"));
    }

    private static async Task<(int Code, string Output, string Error)> Cli(string token, string passphrase, params string[] args)
    {
        var folder = AppProcess.Output("Ballot.Api");
        var psi = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true, RedirectStandardInput = true, UseShellExecute = false, WorkingDirectory = folder };
        psi.ArgumentList.Add(Path.Combine(folder, "Ballot.Api.dll"));
        psi.ArgumentList.Add("trustee");
        foreach (var a in args) psi.ArgumentList.Add(a);
        psi.Environment["BALLOT_TOKEN"] = token;
        psi.Environment["BALLOT_TRUSTEE_PASSPHRASE"] = passphrase;
        psi.Environment["BALLOT_TRUSTEE_KDF_COST_FOR_TESTS"] = "1,16777216";
        using var p = Process.Start(psi)!;
        p.StandardInput.Close();
        var output = p.StandardOutput.ReadToEndAsync();
        var error = p.StandardError.ReadToEndAsync();
        await p.WaitForExitAsync();
        return (p.ExitCode, await output, await error);
    }
}
