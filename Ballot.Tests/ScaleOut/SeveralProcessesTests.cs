using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using Ballot.Core.Ballots;
using Ballot.Core.Data;
using Ballot.Core.Mail;
using Ballot.Tests.Ballots;
using Ballot.Tests.Infrastructure;
using Ballot.Tests.Leaflets;
using Ballot.Tests.Mail;
using Dapper;
using Hangfire;
using Hangfire.PostgreSql;
using Hangfire.PostgreSql.Factories;
using Microsoft.Extensions.Options;

namespace Ballot.Tests.ScaleOut;

/// <summary>
/// Issue 15, item 2: two API processes and two worker processes, each a real `dotnet …dll`, over one PostgreSQL
/// database with Hangfire's storage in it. PostgreSQL only: SQLite is one machine's file (ADR 0812), and its worker
/// keeps Hangfire's jobs in memory. The fixture exists only on the PostgreSQL pass (no fixture, not a skipped one).
/// </summary>
[TestFixtureSource(nameof(Engines))]
[NonParallelizable]
public sealed class SeveralProcessesTests(string engine)
{
    public static IEnumerable<string> Engines => TestDatabase.Engine == Engine.Postgres ? ["postgres"] : [];

    private const int Members = 10_000;
    private const int Schools = 100;
    private const int MaxConnections = 4;

    private TestDatabase _db = null!;
    private SmtpTestServer _smtp = null!;
    private readonly List<AppProcess> _apis = [];
    private readonly List<AppProcess> _workers = [];
    private HttpClient[] _org = null!, _exec = null!, _anon = null!;
    private Db _direct = null!;
    private string _leaflets = null!;

    [OneTimeSetUp]
    public async Task Start()
    {
        Assert.That(engine, Is.EqualTo("postgres"));
        _db = await TestDatabase.CreateAsync();
        _smtp = await SmtpTestServer.StartAsync(keepFiles: false);
        _leaflets = Path.Combine(_db.Folder!, "shared", "leaflets");
        // What every process shares (docs/operations.md, "Several processes"): the database, the credential and
        // certification keys, the public address, the staff keys, the leaflet folder and the send journals.
        var shared = AppProcess.Settings(_db);
        shared["Mail__PublicBaseUrl"] = "https://ballot.union.example";
        shared["Staff__KeysFolder"] = Path.Combine(_db.Folder!, "shared", "staff-keys");
        shared["Leaflets__OutputFolder"] = _leaflets;
        shared["Mail__JournalFolder"] = Path.Combine(_db.Folder!, "shared", "mail-journal");
        foreach (var (key, value) in _smtp.Environment) shared[key] = value;
        shared["Mail__RatePerSecond"] = "1500";
        shared["Mail__BatchSize"] = "100";
        shared["Mail__MaxConnections"] = MaxConnections.ToString();
        shared["Mail__LeaseSeconds"] = "2";
        shared["Worker__PollSeconds"] = "1";

        var executive = await AppProcess.RunCliAsync(shared, "tokens", "create", "--role", "executive", "--name", "Executive");
        var organiser = await AppProcess.RunCliAsync(shared, "tokens", "create", "--role", "organiser", "--name", "Organiser");
        var log = Path.Combine(_db.Folder!, "processes");
        Directory.CreateDirectory(log);
        _apis.AddRange(await Task.WhenAll(
            AppProcess.StartApiAsync(shared, AppProcess.FreePort(), Path.Combine(log, "api-a.log")),
            AppProcess.StartApiAsync(shared, AppProcess.FreePort(), Path.Combine(log, "api-b.log"))));
        _workers.Add(AppProcess.StartWorker(shared, Path.Combine(log, "worker-1.log")));
        _workers.Add(AppProcess.StartWorker(shared, Path.Combine(log, "worker-2.log")));

        HttpClient Client(AppProcess api, string? token)
        {
            var c = new HttpClient { BaseAddress = new Uri(ApiAddress(api)), Timeout = TimeSpan.FromSeconds(60) };
            if (token is not null) c.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", token);
            return c;
        }
        _org = _apis.Select(a => Client(a, organiser)).ToArray();
        _exec = _apis.Select(a => Client(a, executive)).ToArray();
        _anon = _apis.Select(a => Client(a, null)).ToArray();
        _direct = new Db(Options.Create(new DatabaseOptions { ConnectionString = _db.ConnectionString }));
        await (await _org[0].PostAsync("/api/members/import", Http.Csv(MemberCsv.Generate(Members, schools: Schools)))).AssertStatus(HttpStatusCode.OK);
    }

    private static string ApiAddress(AppProcess api) => $"http://127.0.0.1:{api.Port}";

    [OneTimeTearDown]
    public async Task Stop()
    {
        foreach (var c in (_org ?? []).Concat(_exec ?? []).Concat(_anon ?? []).Concat((_seats ?? []).Select(t => t.Client))) c.Dispose();
        foreach (var p in _apis.Concat(_workers)) await p.DisposeAsync();
        if (_smtp is not null) await _smtp.DisposeAsync();
        if (_db is not null) await _db.DisposeAsync();
    }

    private async Task<T> Scalar<T>(string sql, object? args = null)
    {
        await using var conn = await _direct.OpenAsync();
        return (await conn.ExecuteScalarAsync<T>(sql, args))!;
    }

    private readonly Dictionary<long, Ballot.Core.Sealing.Trustee[]> _trustees = [];

    /// <summary>A draft, created through API <paramref name="api"/>; <see cref="Ceremony"/> makes its key.</summary>
    private async Task<long> CreateBallot(int api, DateTimeOffset opens, DateTimeOffset closes, string electorate)
    {
        var json = BallotKit.Consultative(opens, closes, electorate);
        var created = await (await _exec[api].PostAsync("/api/ballots", Http.JsonBody(json))).AssertStatus(HttpStatusCode.Created);
        var id = (long)(await created.ReadJson())["id"]!;
        return id;
    }

    /// <summary>Trustees 1 and 2 decrypt the closed ballot's sums through API <paramref name="api"/>, from the board it serves.</summary>
    private async Task Decrypt(long id, int api)
    {
        var json = await (await _anon[api].GetAsync($"/api/ballots/{id}/board")).AssertStatus(HttpStatusCode.OK).Result.Content.ReadAsStringAsync();
        var sums = TestTrustees.RecomputedSums(Ballot.Core.Sealing.SealingJson.Deserialize<Ballot.Core.Sealing.Board>(json));
        foreach (var t in _trustees[id].Take(2))
        {
            var body = Ballot.Core.Sealing.SealingJson.Serialize(t.Decrypt(Ballot.Core.Sealing.SealingContext.ForBallot(id), sums));
            // Each trustee with its own token: only it may send its decryptions.
            var url = new Uri(new Uri(ApiAddress(_apis[api])), $"/api/ballots/{id}/decryptions");
            await (await _seats![t.Index - 1].Client.PostAsync(url, Http.JsonBody(body))).AssertStatus(HttpStatusCode.OK);
        }
    }

    /// <summary>The ballot's key ceremony through API A, its trustees in-process (each with a staff token of their own).</summary>
    private async Task Ceremony(long id)
    {
        _seats ??= await Task.WhenAll(Enumerable.Range(1, 3).Select(i => TestTrustees.NewSeatAsync(new Uri(ApiAddress(_apis[0])), i, 3,
            (role, name) => new Ballot.Core.Staff.CreateToken.Handler(_direct, TimeProvider.System).Handle(new Ballot.Core.Staff.CreateToken.Command(role, name), CancellationToken.None))));
        _trustees[id] = await TestTrustees.RunCeremonyAsync(_exec[0], _seats, id, threshold: 2);
    }

    private TestTrustees.TrusteeSeat[]? _seats;

    private async Task<long[]> WorkplaceIds(int count)
    {
        await using var conn = await _direct.OpenAsync();
        return (await conn.QueryAsync<long>("SELECT id FROM workplace ORDER BY id LIMIT @count", new { count })).ToArray();
    }

    /// <summary>Each elector's credential as the letter carries it, derived with the shared key and the ballot's salt.</summary>
    private async Task<List<string>> Credentials(long ballotId)
    {
        var credentials = new Credentials(Options.Create(new BallotOptions { CredentialKey = TestDatabase.CredentialKey }), _direct);
        await using var conn = await _direct.OpenAsync();
        var members = await conn.QueryAsync<long>("SELECT member_id FROM ballot_elector WHERE ballot_id = @ballotId ORDER BY member_id", new { ballotId });
        return members.Select(m => credentials.For(ballotId, m)).ToList();
    }

    private Task<HttpResponseMessage> Vote(int api, string credential) =>
        _anon[api].PostAsync("/api/votes", Http.JsonBody($$"""{"credential":"{{credential}}","answers":{"boycott":"Yes","timing":"Autumn term"} }"""));

    [Test, Order(1)]
    public async Task Votes_through_both_apis_count_each_credential_once_and_each_api_follows_the_other()
    {
        // Opened through API B: API A has never seen this ballot, so its elector index learns it from the database.
        var workplaces = await WorkplaceIds(3);
        var now = DateTimeOffset.UtcNow;
        var id = await CreateBallot(0, now.AddMinutes(-1), now.AddDays(10), $$"""{"workplaceIds":[{{string.Join(",", workplaces)}}]}""");
        await Ceremony(id);
        await (await _exec[1].PostAsync($"/api/ballots/{id}/open", null)).AssertStatus(HttpStatusCode.OK);
        var credentials = await Credentials(id);
        Assert.That(credentials, Has.Count.EqualTo(3 * Members / Schools));

        // Every credential but the last ten is sent to both APIs at the same moment: each must count exactly once.
        var voting = credentials.Take(credentials.Count - 10).ToList();
        var outcomes = await Task.WhenAll(voting.Select(async c =>
        {
            var both = await Task.WhenAll(Vote(0, c), Vote(1, c));
            return both.Select(r => r.StatusCode).ToArray();
        }));
        Assert.That(outcomes.Select(o => o.Count(s => s == HttpStatusCode.Created)), Has.All.EqualTo(1),
            "one 201 per credential; the others answered " + string.Join(", ", outcomes.Where(o => o.Count(s => s == HttpStatusCode.Created) != 1).Select(o => string.Join("+", o))));
        Assert.That(outcomes.SelectMany(o => o).Where(s => s != HttpStatusCode.Created), Has.All.EqualTo(HttpStatusCode.Conflict),
            "the other API refuses the second use");
        Assert.That(await Scalar<long>("SELECT COUNT(*) FROM ballot_paper WHERE ballot_id = @id", new { id }),
            Is.EqualTo(voting.Count), "one sealed paper per credential in the database");
        Assert.That(await Scalar<long>("SELECT COUNT(*) FROM ballot_elector WHERE ballot_id = @id AND voted = 1", new { id }), Is.EqualTo(voting.Count));

        // A credential used through one API is refused by the other afterwards too, both ways round.
        Assert.That((await Vote(0, voting[0])).StatusCode, Is.EqualTo(HttpStatusCode.Conflict));
        Assert.That((await Vote(1, voting[^1])).StatusCode, Is.EqualTo(HttpStatusCode.Conflict));
        foreach (var exec in _exec)
        {
            var turnout = await (await exec.GetAsync($"/api/ballots/{id}/turnout")).AssertStatus(HttpStatusCode.OK).Result.ReadJson();
            Assert.That(turnout.ToJsonString(), Does.Contain($":{voting.Count}"), "both APIs read the same turnout from the database");
        }

        // API B closes it early; API A, with the electorate in memory and the paper cached, must not take another vote.
        await (await _exec[1].PostAsync($"/api/ballots/{id}/close", null)).AssertStatus(HttpStatusCode.OK);
        var unused = credentials[^1];
        Assert.That((await Vote(0, unused)).StatusCode, Is.EqualTo(HttpStatusCode.Forbidden), "API A refuses a vote once API B closed the ballot");
        Assert.That((await Vote(1, credentials[^2])).StatusCode, Is.EqualTo(HttpStatusCode.Forbidden));
        var page = await _anon[0].GetAsync($"/vote/{unused}");
        Assert.That(await page.Content.ReadAsStringAsync(), Does.Contain("closed"), "API A's voting page says the ballot closed");
        Assert.That(await Scalar<long>("SELECT COUNT(*) FROM ballot_paper WHERE ballot_id = @id", new { id }), Is.EqualTo(voting.Count));
    }

    [Test, Order(2)]
    public async Task A_ballot_opens_and_closes_once_whichever_worker_gets_there_first_and_the_apis_follow()
    {
        var workplaces = await WorkplaceIds(2);
        var now = DateTimeOffset.UtcNow;
        var id = await CreateBallot(1, now.AddSeconds(2), now.AddMinutes(30), $$"""{"workplaceIds":[{{string.Join(",", workplaces)}}]}""");
        await Ceremony(id);
        // The due-work job is run by whichever worker's Hangfire server dequeues it first: trigger it many times so both
        // workers run it at once, around the opening and around the closing.
        // Hangfire's logging is process-wide: an in-process worker host of an earlier fixture may have left it pointing at
        // that host's disposed logger factory.
        Hangfire.Logging.LogProvider.SetCurrentLogProvider(new QuietHangfireLog());
        var jobs = new RecurringJobManager(new PostgreSqlStorage(new NpgsqlConnectionFactory(_db.ConnectionString, new PostgreSqlStorageOptions())));
        async Task Hammer(Func<Task<bool>> until)
        {
            var deadline = DateTime.UtcNow.AddSeconds(45);
            while (!await until())
            {
                if (DateTime.UtcNow > deadline) Assert.Fail("the workers did not get there");
                for (var i = 0; i < 4; i++) jobs.Trigger("ballots-due");
                await Task.Delay(300);
            }
        }
        await Task.Delay(TimeSpan.FromSeconds(2));
        await Hammer(async () => await Scalar<string>("SELECT status FROM ballot WHERE id = @id", new { id }) == "open");
        for (var i = 0; i < 6; i++) { jobs.Trigger("ballots-due"); await Task.Delay(200); }

        var credentials = await Credentials(id);
        Assert.That(credentials, Has.Count.EqualTo(2 * Members / Schools));
        Assert.That(await Scalar<long>("SELECT COUNT(*) FROM ballot_audit WHERE ballot_id = @id AND event = 'opened'", new { id }), Is.EqualTo(1), "opened once");
        Assert.That(await Scalar<long>("SELECT COUNT(*) FROM mailing WHERE source_id = @id AND purpose = 'voting-letter'", new { id }), Is.EqualTo(1), "one voting letter per elector, queued once");
        Assert.That(await Scalar<long>("SELECT COUNT(*) FROM ballot_elector WHERE ballot_id = @id", new { id }), Is.EqualTo(credentials.Count));

        // Votes through both APIs while it is open: half each (each API loads the electorate into memory and caches the paper).
        var votes = await Task.WhenAll(credentials.Select((c, i) => Vote(i % 2, c)));
        Assert.That(votes.Select(v => v.StatusCode), Has.All.EqualTo(HttpStatusCode.Created));
        foreach (var anon in _anon)
            Assert.That(await (await anon.GetAsync($"/vote/{credentials[0]}")).Content.ReadAsStringAsync(), Does.Contain("already voted"));

        // Its closing time comes: moved into the past in the database rather than waited for. The APIs cached the paper
        // with the old closing time; only the database says it is over once a worker has closed it.
        await using (var conn = await _direct.OpenAsync())
            await conn.ExecuteAsync("UPDATE ballot SET closes_at = @past WHERE id = @id", new { past = DateTimeOffset.UtcNow.AddSeconds(-1), id });
        await Hammer(async () => await Scalar<string>("SELECT status FROM ballot WHERE id = @id", new { id }) == "closed");
        for (var i = 0; i < 6; i++) { jobs.Trigger("ballots-due"); await Task.Delay(200); }
        await Task.Delay(1000);

        Assert.That(await Scalar<long>("SELECT COUNT(*) FROM ballot_audit WHERE ballot_id = @id AND event = 'closed'", new { id }), Is.EqualTo(1), "closed once");
        Assert.That(await Scalar<long>("SELECT COUNT(*) FROM ballot_audit WHERE ballot_id = @id AND event = 'opened'", new { id }), Is.EqualTo(1));
        // Each API had this ballot's electorate in memory; the worker closed it, and neither API takes another vote.
        await using (var conn = await _direct.OpenAsync())
            await conn.ExecuteAsync("UPDATE ballot_elector SET voted = 0 WHERE ballot_id = @id AND member_id = (SELECT min(member_id) FROM ballot_elector WHERE ballot_id = @id)", new { id });
        var first = (await Credentials(id))[0];
        foreach (var api in new[] { 0, 1 })
        {
            var refused = await Vote(api, first);
            Assert.That((int)refused.StatusCode, Is.InRange(400, 499), $"API {api} refuses a vote after the worker closed the ballot");
        }
        // The trustees decrypt through API A; both APIs show the result, the same on each.
        await Decrypt(id, 0);
        var results = new List<string>();
        foreach (var exec in _exec)
            results.Add((await (await exec.GetAsync($"/api/ballots/{id}/result")).AssertStatus(HttpStatusCode.OK).Result.ReadJson()).ToJsonString());
        Assert.That(results[0], Is.EqualTo(results[1]));
    }

    [Test, Order(3)]
    public async Task A_mailing_sent_while_its_worker_is_killed_gives_every_member_one_letter()
    {
        long id;
        await using (var conn = await _direct.OpenAsync())
        await using (var tx = await _direct.BeginWriteAsync(conn))
        {
            id = await MailQueue.EnqueueAsync(conn, tx, new NewMailing("campaign", "Why we oppose the scheme, {{ first_name }}",
                    "Dear {{ first_name }},\n\nThe Executive writes to every member at {{ workplace }}.", null, null, null, null, DateTimeOffset.UtcNow),
                "SELECT m.id AS member_id, m.email AS email FROM member m WHERE m.status = 'active'");
            await tx.CommitAsync();
        }
        bool Mine((string MessageId, string Recipient) a) => a.MessageId.StartsWith($"m{id}.", StringComparison.Ordinal);
        async Task WaitFor(Func<bool> done, string what)
        {
            var until = DateTime.UtcNow.AddSeconds(90);
            while (!done())
            {
                if (DateTime.UtcNow > until) Assert.Fail(what);
                await Task.Delay(20);
            }
        }
        await WaitFor(() => _smtp.Accepted().Count(Mine) >= Members / 4, "the mailing did not start");

        // Kill the worker that holds the mailing's lease (its pid is in the run id), mid-mailing; the other takes over.
        var owner = await Scalar<string?>("SELECT lease_owner FROM mailing WHERE id = @id", new { id });
        var sender = _workers.Single(w => owner is not null && owner.Contains($"-{w.Pid}-"));
        await sender.KillAsync();
        var killedAt = _smtp.Accepted().Count(Mine);
        Assert.That(killedAt, Is.LessThan(Members), "the kill landed before the mailing finished");
        await Task.Delay(500);
        sender.Restart();

        var deadline = DateTime.UtcNow.AddSeconds(90);
        while (await Scalar<string>("SELECT status FROM mailing WHERE id = @id", new { id }) != "sent")
        {
            if (DateTime.UtcNow > deadline) Assert.Fail("the mailing did not finish");
            await Task.Delay(200);
        }

        var perMember = _smtp.Accepted().Where(Mine).GroupBy(a => a.Recipient).ToDictionary(g => g.Key, g => g.ToList());
        Assert.That(perMember.Keys, Is.EquivalentTo(Enumerable.Range(1, Members).Select(i => $"member{i}@example.org")), "every member got a letter");
        // ADR 0101's one window: a kill between a letter's end-of-data dot and its journal line sends it again, with the
        // same Message-ID; at most one such letter per connection of the killed worker.
        var twice = perMember.Where(kv => kv.Value.Count > 1).ToList();
        Assert.That(twice.Select(kv => kv.Value.Count), Has.All.EqualTo(2));
        Assert.That(twice.Select(kv => kv.Value.Select(a => a.MessageId).Distinct().Count()), Has.All.EqualTo(1));
        Assert.That(twice, Has.Count.LessThanOrEqualTo(MaxConnections), $"second copies: {string.Join(", ", twice.Select(kv => kv.Key))}");
        Assert.That(await Scalar<long>("SELECT COUNT(*) FROM mailing_recipient WHERE mailing_id = @id AND state <> 'sent'", new { id }), Is.Zero);
        TestContext.Out.WriteLine($"killed worker {sender.Pid} at {killedAt} letters; second copies: {twice.Count}");
    }

    [Test, Order(4)]
    public async Task Bulk_leaflets_are_rendered_once_by_one_of_two_workers_and_served_by_either_api()
    {
        var created = await (await _org[0].PostAsJsonAsync("/api/campaigns", new JsonObject
        {
            ["name"] = "Fund Our Schools",
            ["webAddress"] = "https://example.org/fund-our-schools",
            ["imprint"] = "Published and printed by the Union, 1 Union Street, London WC1 9ZZ.",
            ["brandColour"] = "#C8102E",
            ["content"] = new JsonArray(LeafletContent.Parents()),
        })).AssertStatus(HttpStatusCode.Created);
        var campaign = (long)(await created.ReadJson())["id"]!;
        var started = await (await _org[1].PostAsJsonAsync($"/api/campaigns/{campaign}/leaflets/bulk", new { audience = "parents", region = "Region 0" }))
            .AssertStatus(HttpStatusCode.Accepted);
        var location = started.Headers.Location!.ToString();
        JsonNode status = await started.ReadJson();
        var deadline = DateTime.UtcNow.AddSeconds(90);
        while ((string?)status["status"] is "pending" or "running" && DateTime.UtcNow < deadline)
        {
            await Task.Delay(250);
            status = await (await _org[0].GetAsync(location)).ReadJson();
        }
        Assert.That((string?)status["status"], Is.EqualTo("done"), status.ToJsonString());
        Assert.That((int?)status["done"], Is.EqualTo(Schools / 2));
        Assert.That(await Scalar<long>("SELECT attempts FROM leaflet_job WHERE campaign_id = @campaign", new { campaign }), Is.EqualTo(1), "claimed and rendered once");
        Assert.That(Directory.GetFiles(_leaflets, "*.zip"), Has.Length.EqualTo(1), "one zip in the shared folder");
        foreach (var org in _org)
        {
            var zip = await (await org.GetAsync((string)status["download"]!)).AssertStatus(HttpStatusCode.OK).Result.Content.ReadAsByteArrayAsync();
            using var archive = new System.IO.Compression.ZipArchive(new MemoryStream(zip));
            Assert.That(archive.Entries, Has.Count.EqualTo(Schools / 2));
        }
    }

    private sealed class QuietHangfireLog : Hangfire.Logging.ILogProvider, Hangfire.Logging.ILog
    {
        public Hangfire.Logging.ILog GetLogger(string name) => this;
        public bool Log(Hangfire.Logging.LogLevel logLevel, Func<string>? messageFunc, Exception? exception = null) => false;
    }
}
