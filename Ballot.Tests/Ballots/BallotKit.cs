using System.Net;
using System.Text.Json.Nodes;
using Ballot.Core.Ballots;
using Ballot.Core.Staff;
using Ballot.Tests.Infrastructure;
using Dapper;
using Microsoft.Extensions.DependencyInjection;

namespace Ballot.Tests.Ballots;

/// <summary>Helpers shared by the ballot tests: a register, ballots created over HTTP, credentials as letters carry them.</summary>
public sealed class BallotKit(ApiHost api)
{
    public ApiHost Api { get; } = api;

    public DateTimeOffset Now => Api.Clock.GetUtcNow();

    public async Task ImportMembers(string csv)
    {
        using var org = await Api.ClientFor(Roles.Organiser);
        await (await org.PostAsync("/api/members/import", Http.Csv(csv))).AssertStatus(HttpStatusCode.OK);
    }

    public static string Consultative(DateTimeOffset opens, DateTimeOffset closes, string electorate = "{}", string counting = "aggregated",
        string reminders = "[]") => $$"""
        {"title":"Indicative ballot on the pay arrangements","kind":"consultative","counting":"{{counting}}",
         "opensAt":"{{opens:O}}","closesAt":"{{closes:O}}","electorate":{{electorate}},"reminderDaysBeforeClose":{{reminders}},
         "questions":[{"id":"boycott","text":"Do you support a boycott of the performance-management arrangements?","options":["Yes","No"]},
                      {"id":"timing","text":"When should action start?","options":["Autumn term","Spring term","Not at all"]}]}
        """;

    public static string IndustrialAction(DateTimeOffset opens, DateTimeOffset closes, string electorate = "{}", string counting = "aggregated",
        bool ips = true, string reminders = "[]") => $$"""
        {"title":"National ballot to boycott the performance-management arrangements","kind":"industrial-action","counting":"{{counting}}",
         "opensAt":"{{opens:O}}","closesAt":"{{closes:O}}","electorate":{{electorate}},"reminderDaysBeforeClose":{{reminders}},
         "industrialAction":{"strike":true,"actionShortOfStrike":true,"scrutineerName":"Electoral Reform Services",
           "scrutineerAddress":"The Election Centre, 33 Clarendon Road, London N8 0NW","importantPublicService":{{(ips ? "true" : "false")}},
           "whoMayCallAction":"The National Executive","mattersInIssue":"Performance management linked to performance-related pay.",
           "actionShortOfStrikeTypes":"Refusing to set or sign performance objectives.","periods":"From 1 October 2026 until further notice."} }
        """;

    public async Task<long> Create(string json)
    {
        using var exec = await Api.ClientFor(Roles.Executive);
        var response = await (await exec.PostAsync("/api/ballots", Http.JsonBody(json))).AssertStatus(HttpStatusCode.Created);
        return (long)(await response.ReadJson())["id"]!;
    }

    public async Task<JsonNode> Open(long id)
    {
        await TestTrustees.For(Api).CeremonyAsync(id);
        using var exec = await Api.ClientFor(Roles.Executive);
        return await (await (await exec.PostAsync($"/api/ballots/{id}/open", null)).AssertStatus(HttpStatusCode.OK)).ReadJson();
    }

    /// <summary>A ballot open now, closing in 10 days, over the whole register.</summary>
    public async Task<long> OpenConsultative(string electorate = "{}", string counting = "aggregated", string reminders = "[]")
    {
        var id = await Create(Consultative(Now, Now.AddDays(10), electorate, counting, reminders));
        await Open(id);
        return id;
    }

    public async Task<long> OpenIndustrialAction(string electorate = "{}", string counting = "aggregated", bool ips = true)
    {
        await CommenceVotingOrder();
        var id = await Create(IndustrialAction(Now, Now.AddDays(14), electorate, counting, ips));
        await GiveNotices(id);
        await Open(id);
        return id;
    }

    /// <summary>
    /// The Permissible Means of Voting Order as in force from 1 August 2026: the rows docs/operations.md says to insert once
    /// its commencement is confirmed. Without them an industrial-action ballot is postal only.
    /// </summary>
    public async Task CommenceVotingOrder(string from = "2026-08-01")
    {
        await using var conn = await Api.OpenAsync();
        foreach (var method in new[] { "electronic", "hybrid" })
            await conn.ExecuteAsync("""
                INSERT INTO lawful_voting_method (ballot_kind, voting_method, applies_from, applies_until, authority)
                SELECT 'industrial-action', @method, @from, NULL, 'Trade Unions (Permissible Means of Voting) Order 2026'
                WHERE NOT EXISTS (SELECT 1 FROM lawful_voting_method WHERE ballot_kind = 'industrial-action' AND voting_method = @method)
                """, new { method, from });
    }

    /// <summary>Marks every employer's notice of the ballot and sample paper as given on <paramref name="givenAt"/> (default 8 days ago).</summary>
    public async Task GiveNotices(long id, DateTimeOffset? givenAt = null)
    {
        using var exec = await Api.ClientFor(Roles.Executive);
        var notices = await (await (await exec.GetAsync($"/api/ballots/{id}/notices")).AssertStatus(HttpStatusCode.OK)).ReadJson();
        foreach (var e in notices["employers"]!.AsArray())
        foreach (var kind in new[] { "ballot-notice", "sample-paper" })
        {
            var body = new JsonObject { ["employer"] = (string)e!["figures"]!["employer"]!, ["kind"] = kind, ["givenAt"] = (givenAt ?? Now.AddDays(-8)).ToString("O") };
            await (await exec.PostAsync($"/api/ballots/{id}/notices", Http.JsonBody(body.ToJsonString()))).AssertStatus(HttpStatusCode.OK);
        }
    }

    public async Task<long> MemberId(string membershipNumber)
    {
        await using var conn = await Api.OpenAsync();
        return await conn.ExecuteScalarAsync<long>("SELECT id FROM member WHERE membership_number = @membershipNumber", new { membershipNumber });
    }

    /// <summary>The voting link exactly as the letter renderer gets it, through the feature's ILetterFields.</summary>
    public string VoteUrl(long ballotId, long memberId)
    {
        var fields = Api.App.Services.GetServices<Ballot.Core.Mail.ILetterFields>().Single(f => f.Source == "ballot");
        return (string)fields.FieldsFor(ballotId, memberId)["vote_url"]!;
    }

    public async Task<string> Credential(long ballotId, string membershipNumber) =>
        VoteUrl(ballotId, await MemberId(membershipNumber)).Split("/vote/")[1];

    public async Task<HttpResponseMessage> Vote(string credential, string answers) =>
        await Api.Client.PostAsync("/api/votes", Http.JsonBody($$"""{"credential":"{{credential}}","answers":{{answers}}}"""));

    public async Task<string> VoteOk(long ballotId, string membershipNumber, string answers)
    {
        var response = await (await Vote(await Credential(ballotId, membershipNumber), answers)).AssertStatus(HttpStatusCode.Created);
        return (string)(await response.ReadJson())["receipt"]!;
    }

    /// <summary>A member's vote as the vote path hands it to a store: its claim (elector, credential hash) and a real sealed paper.</summary>
    public async Task<Ballot.Core.Ballots.Voting.Vote> SealedVote(long ballotId, string membershipNumber, IReadOnlyDictionary<string, string?> answers)
    {
        var memberId = await MemberId(membershipNumber);
        var constituency = await Scalar<string>("SELECT constituency FROM ballot_elector WHERE ballot_id = @ballotId AND member_id = @memberId", new { ballotId, memberId });
        var hash = Credentials.Hash(await Credential(ballotId, membershipNumber));
        return new Ballot.Core.Ballots.Voting.Vote(ballotId, memberId, hash, constituency, await TestPapers.SealedAsync(Api, ballotId, answers));
    }

    public async Task<T> Scalar<T>(string sql, object? args = null)
    {
        await using var conn = await Api.OpenAsync();
        return (await conn.ExecuteScalarAsync<T>(sql, args))!;
    }

    /// <summary>What the worker's minutely ballot job does; then, as trustees would, the first t decrypt every ballot it closed.</summary>
    /// <param name="ceremonies">whether drafts without a key have their ceremony first, as Open does.</param>
    public async Task<BallotSchedule.Summary> RunWorker(bool ceremonies = true)
    {
        List<long> drafts;
        await using (var conn = await Api.OpenAsync())
            drafts = (await conn.QueryAsync<long>("SELECT id FROM ballot WHERE status = 'draft' AND id NOT IN (SELECT ballot_id FROM ballot_ceremony)")).ToList();
        if (ceremonies) foreach (var draft in drafts) await TestTrustees.For(Api).CeremonyAsync(draft);
        BallotSchedule.Summary summary;
        using (var scope = Api.App.Services.CreateScope())
            summary = await scope.ServiceProvider.GetRequiredService<BallotSchedule>().RunDueAsync();
        if (summary.Closed > 0) await CountClosed();
        return summary;
    }

    /// <summary>The trustees (the first t) decrypt the closed ballot's sums, so that it is counted.</summary>
    public Task Count(long id) => TestTrustees.For(Api).DecryptAsync(id);

    /// <summary>Every closed ballot still waiting for its trustees, whose ceremony this host ran, is counted.</summary>
    public async Task CountClosed()
    {
        List<long> waiting;
        await using (var conn = await Api.OpenAsync())
            waiting = (await conn.QueryAsync<long>("SELECT id FROM ballot WHERE status = 'closed' AND result_hash IS NULL")).ToList();
        foreach (var id in waiting)
        {
            try { TestTrustees.For(Api).Of(id); }
            catch (InvalidOperationException) { continue; }
            await Count(id);
        }
    }

    /// <summary>Closes a consultative ballot early as the executive, and has the trustees count it.</summary>
    public async Task<JsonNode> CloseAndCount(long id)
    {
        using var exec = await Api.ClientFor(Roles.Executive);
        var view = await (await (await exec.PostAsync($"/api/ballots/{id}/close", null)).AssertStatus(HttpStatusCode.OK)).ReadJson();
        await Count(id);
        return view;
    }
}

/// <summary>
/// A fixture for ballot tests: a fresh API on a fresh database for every test, with a register of
/// <paramref name="members"/> members spread over <paramref name="schools"/> schools (MemberCsv.Generate), stopped after
/// the test.
/// </summary>
public abstract class BallotApiTests(int members, int schools, Action<Dictionary<string, string?>>? settings = null)
{
    protected ApiHost Api { get; private set; } = null!;
    protected BallotKit Kit { get; private set; } = null!;

    [SetUp]
    public async Task StartApiWithRegister()
    {
        Api = await ApiHost.StartAsync(settings);
        Kit = new BallotKit(Api);
        await Kit.ImportMembers(MemberCsv.Generate(members, schools: schools));
    }

    [TearDown]
    public async Task StopApi() => await Api.DisposeAsync();
}
