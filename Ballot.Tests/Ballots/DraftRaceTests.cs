using System.Net;
using Ballot.Core.Ballots;
using Ballot.Core.Staff;
using Ballot.Tests.Infrastructure;
using Dapper;

namespace Ballot.Tests.Ballots;

/// <summary>
/// Issue 11, flaw 4: on PostgreSQL an open and an edit of the same draft, or a reminder and a close of the same ballot,
/// each read a committed state the other was changing. The draft row is locked while it is opened or edited, and the
/// ballot row while a reminder is queued.
/// </summary>
public sealed class DraftRaceTests() : BallotApiTests(40, 4)
{
    private const int Iterations = 25;

    [Test]
    public async Task Open_and_edit_racing_never_open_a_changed_definition_nor_log_an_edit_after_opening()
    {
        using var exec = await Api.ClientFor(Roles.Executive);
        var workplace = await Kit.Scalar<long>("SELECT MIN(id) FROM workplace");
        var inWorkplace = await Kit.Scalar<long>("SELECT COUNT(*) FROM member WHERE workplace_id = @workplace", new { workplace });
        var edited = BallotKit.Consultative(Kit.Now, Kit.Now.AddDays(10), electorate: $$"""{"workplaceIds":[{{workplace}}]}""");
        var outcomes = new Dictionary<HttpStatusCode, int>();
        for (var i = 0; i < Iterations; i++)
        {
            var id = await Kit.Create(BallotKit.Consultative(Kit.Now, Kit.Now.AddDays(10)));
            await TestTrustees.For(Api).CeremonyAsync(id);
            var edit = i % 2 == 0 ? exec.PutAsync($"/api/ballots/{id}", Http.JsonBody(edited)) : null;
            var open = exec.PostAsync($"/api/ballots/{id}/open", null);
            edit ??= exec.PutAsync($"/api/ballots/{id}", Http.JsonBody(edited));
            await Task.WhenAll(edit, open);
            await (await open).AssertStatus(HttpStatusCode.OK);
            var editStatus = (await edit).StatusCode;
            outcomes[editStatus] = outcomes.GetValueOrDefault(editStatus) + 1;

            await using var conn = await Api.OpenAsync();
            var events = (await conn.QueryAsync<string>("SELECT event FROM ballot_audit WHERE ballot_id = @id ORDER BY seq", new { id })).ToList();
            var definition = await conn.ExecuteScalarAsync<string>("SELECT definition FROM ballot WHERE id = @id", new { id });
            var electors = await conn.ExecuteScalarAsync<long>("SELECT COUNT(*) FROM ballot_elector WHERE ballot_id = @id", new { id });
            if (editStatus == HttpStatusCode.OK)
            {
                Assert.That(events.IndexOf("edited"), Is.GreaterThan(0).And.LessThan(events.IndexOf("opened")),
                    $"iteration {i}: an accepted edit comes before the opening ({string.Join(", ", events)})");
                Assert.That(definition, Does.Contain($"\"workplaceIds\":[{workplace}]"), $"iteration {i}: the accepted edit is the definition");
                Assert.That(electors, Is.EqualTo(inWorkplace), $"iteration {i}: the ballot opened over the edited electorate");
            }
            else
            {
                var problem = await (await edit).AssertProblem(HttpStatusCode.Conflict);
                Assert.That((string)problem["detail"]!, Does.Contain("only a draft can be edited"));
                Assert.That(events, Does.Not.Contain("edited"), $"iteration {i}: a refused edit leaves no entry");
                Assert.That(definition, Does.Not.Contain("workplaceIds\":["), $"iteration {i}: the refused edit changed nothing");
                Assert.That(electors, Is.EqualTo(40), $"iteration {i}: the ballot opened over the whole register");
            }
        }
        TestContext.Progress.WriteLine($"edit outcomes: {string.Join(", ", outcomes.Select(kv => $"{(int)kv.Key}: {kv.Value}"))}");
    }

    [Test]
    public async Task An_edit_of_an_open_ballot_answers_409_and_writes_no_entry()
    {
        var id = await Kit.OpenConsultative();
        var entries = await Kit.Scalar<long>("SELECT COUNT(*) FROM ballot_audit WHERE ballot_id = @id", new { id });
        using var exec = await Api.ClientFor(Roles.Executive);
        var problem = await (await exec.PutAsync($"/api/ballots/{id}", Http.JsonBody(BallotKit.Consultative(Kit.Now, Kit.Now.AddDays(5)))))
            .AssertProblem(HttpStatusCode.Conflict);
        Assert.That((string)problem["detail"]!, Does.Contain("The ballot is open; only a draft can be edited."));
        Assert.That(await Kit.Scalar<long>("SELECT COUNT(*) FROM ballot_audit WHERE ballot_id = @id", new { id }), Is.EqualTo(entries));
        Assert.That(await Kit.Scalar<string>("SELECT closes_at FROM ballot WHERE id = @id", new { id }), Is.Not.Null);
    }

    [Test]
    public async Task A_reminder_racing_a_close_is_never_queued_after_it()
    {
        using var exec = await Api.ClientFor(Roles.Executive);
        for (var i = 0; i < Iterations; i++)
        {
            var id = await Kit.Create(BallotKit.Consultative(Kit.Now, Kit.Now.AddDays(10), reminders: "[7]"));
            await Kit.Open(id);
            Api.Clock.Advance(TimeSpan.FromDays(3));      // the reminder is due
            var remind = Task.Run(() => Api.Send(new SendReminders.Command()));
            var close = exec.PostAsync($"/api/ballots/{id}/close", null);
            await Task.WhenAll(remind, close);
            await (await close).AssertStatus(HttpStatusCode.OK);

            await using var conn = await Api.OpenAsync();
            var events = (await conn.QueryAsync<string>("SELECT event FROM ballot_audit WHERE ballot_id = @id ORDER BY seq", new { id })).ToList();
            if (events.Contains("reminder-sent"))
                Assert.That(events.IndexOf("reminder-sent"), Is.LessThan(events.IndexOf("closed")), $"iteration {i}: {string.Join(", ", events)}");
            Assert.That(await conn.ExecuteScalarAsync<long>("""
                SELECT COUNT(*) FROM mailing_recipient WHERE state = 'pending'
                AND mailing_id IN (SELECT id FROM mailing WHERE source = 'ballot' AND source_id = @id AND purpose = 'reminder')
                """, new { id }), Is.Zero, $"iteration {i}: no reminder letter waits to go out for a closed ballot");
            Assert.That(await conn.ExecuteScalarAsync<long>(
                "SELECT COUNT(*) FROM mailing WHERE source = 'ballot' AND source_id = @id AND purpose = 'reminder' AND status <> 'cancelled'",
                new { id }), Is.Zero, $"iteration {i}");
            Api.Clock.Advance(TimeSpan.FromDays(1));
        }
    }
}
