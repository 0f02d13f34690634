using System.Net;
using System.Text.RegularExpressions;
using Ballot.Core.Staff;
using Ballot.Tests.Ballots;
using Ballot.Tests.Infrastructure;
using Dapper;

namespace Ballot.Tests.Mail;

/// <summary>
/// A ballot's letters (voting letters, reminders, result notice) are queued as mailings, but they belong to the ballot:
/// no staff member gets a member's voting link through the mailing API, nor who has not voted, nor can stop them.
/// </summary>
public sealed partial class BallotMailTests
{
    private ApiHost _api = null!;
    private BallotKit _kit = null!;
    private HttpClient _org = null!;
    private HttpClient _exec = null!;

    [SetUp]
    public async Task Start()
    {
        _api = await ApiHost.StartAsync();
        _kit = new BallotKit(_api);
        await _kit.ImportMembers(MemberCsv.Generate(6, schools: 2));
        _org = await _api.ClientFor(Roles.Organiser);
        _exec = await _api.ClientFor(Roles.Executive);
    }

    [TearDown]
    public async Task Stop()
    {
        _org.Dispose();
        _exec.Dispose();
        await _api.DisposeAsync();
    }

    [GeneratedRegex(@"/vote/([A-Za-z0-9_\-]+)")]
    private static partial Regex VoteLink();

    private Task<long> MailingOf(long ballotId, string purpose) =>
        _kit.Scalar<long>("SELECT id FROM mailing WHERE source = 'ballot' AND source_id = @ballotId AND purpose = @purpose", new { ballotId, purpose });

    [Test]
    public async Task Preview_and_test_copy_of_a_voting_letter_give_staff_no_working_voting_link()
    {
        var ballotId = await _kit.OpenConsultative();
        var letters = await MailingOf(ballotId, "voting-letter");
        var bodies = new List<string>();
        foreach (var client in new[] { _org, _exec })
        {
            var preview = await client.GetAsync($"/api/mailings/{letters}/preview?member=M000001");
            bodies.Add(await preview.Content.ReadAsStringAsync());
            var problem = await preview.AssertProblem(HttpStatusCode.Conflict);
            Assert.That((string?)problem["detail"], Does.Contain("the ballot owns these letters"));

            var test = await client.PostAsync($"/api/mailings/{letters}/test", Http.JsonBody("""{"email":"curious@staff.example","member":"M000001"}"""));
            bodies.Add(await test.Content.ReadAsStringAsync());
            await test.AssertProblem(HttpStatusCode.Conflict);
        }
        Assert.That(await _kit.Scalar<long>("SELECT COUNT(*) FROM mailing WHERE test_of = @letters", new { letters }), Is.Zero,
            "no test copy was queued for the worker to send");

        // Whatever looks like a voting link in the answers must not be a credential the ballot accepts.
        var real = await _kit.Credential(ballotId, "M000001");
        foreach (var body in bodies)
        {
            Assert.That(body, Does.Not.Contain(real));
            foreach (Match m in VoteLink().Matches(body))
                Assert.That((await _kit.Vote(m.Groups[1].Value, """{"boycott":"Yes","timing":"Autumn term"}""")).StatusCode, Is.Not.EqualTo(HttpStatusCode.Created));
        }
        // The member's own link still works: nobody used it before them.
        await _kit.VoteOk(ballotId, "M000001", """{"boycott":"No","timing":"Not at all"}""");
    }

    [Test]
    public async Task Ballot_mail_is_read_only_through_the_mailing_api_and_a_reminder_does_not_list_who_has_not_voted()
    {
        var ballotId = await _kit.OpenConsultative(reminders: "[7]");
        await _kit.VoteOk(ballotId, "M000001", """{"boycott":"Yes","timing":"Autumn term"}""");
        _api.Clock.Advance(TimeSpan.FromDays(3));
        await _kit.RunWorker();
        var letters = await MailingOf(ballotId, "voting-letter");
        var reminder = await MailingOf(ballotId, "reminder");
        Assert.That(reminder, Is.Not.Zero);

        foreach (var id in new[] { letters, reminder })
        {
            var before = await _kit.Scalar<string>("SELECT status FROM mailing WHERE id = @id", new { id });
            var refusals = new[]
            {
                await _org.GetAsync($"/api/mailings/{id}/recipients"),
                await _org.GetAsync($"/api/mailings/{id}/recipients?status=pending"),
                await _exec.GetAsync($"/api/mailings/{id}/recipients"),
                await _org.PostAsync($"/api/mailings/{id}/cancel", null),
                await _exec.PostAsync($"/api/mailings/{id}/cancel", null),
                await _org.PatchAsync($"/api/mailings/{id}", Http.JsonBody("""{"subject":"Changed"}""")),
                await _exec.PostAsync($"/api/mailings/{id}/approve", null),
                await _org.PostAsync($"/api/mailings/{id}/send", Http.JsonBody("{}")),
                await _org.PostAsync($"/api/mailings/{id}/test", Http.JsonBody("""{"email":"me@staff.example"}""")),
            };
            foreach (var r in refusals)
            {
                var text = await r.Content.ReadAsStringAsync();
                var problem = await r.AssertProblem(HttpStatusCode.Conflict);
                Assert.That((string?)problem["detail"], Does.Contain($"ballot {ballotId}").And.Contain("the ballot owns these letters"));
                Assert.That(text, Does.Not.Contain("M00000"), "no membership number in the refusal");
            }
            Assert.That(await _kit.Scalar<string>("SELECT status FROM mailing WHERE id = @id", new { id }), Is.EqualTo(before));
            Assert.That(await _kit.Scalar<long>("SELECT COUNT(*) FROM mailing_recipient WHERE mailing_id = @id AND state = 'cancelled'", new { id }), Is.Zero);

            // Progress counts stay visible.
            var view = await (await (await _org.GetAsync($"/api/mailings/{id}")).AssertStatus(HttpStatusCode.OK)).ReadJson();
            Assert.That((long?)view["progress"]!["recipients"], Is.EqualTo(id == letters ? 6 : 5));
        }
        Assert.That(await _kit.Scalar<string>("SELECT subject FROM mailing WHERE id = @reminder", new { reminder }), Is.Not.EqualTo("Changed"));
        await using var conn = await _api.OpenAsync();
        Assert.That(await conn.ExecuteScalarAsync<long>("SELECT COUNT(*) FROM mailing WHERE test_of IS NOT NULL"), Is.Zero);
    }
}
