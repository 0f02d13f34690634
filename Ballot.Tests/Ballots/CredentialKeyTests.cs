using System.Net;
using System.Text.RegularExpressions;
using Ballot.Core.Ballots;
using Ballot.Core.Common;
using Ballot.Core.Mail;
using Ballot.Tests.Infrastructure;
using Ballot.Tests.Mail;
using MediatR;

namespace Ballot.Tests.Ballots;

/// <summary>
/// The worker that sends the letters and the API that takes the votes derive the same
/// links from one key and one public address, and a process with another key refuses rather than send dead links.
/// </summary>
public sealed class CredentialKeyTests() : BallotApiTests(4, 1)
{
    [Test]
    public async Task A_voting_letter_sent_by_the_real_worker_over_smtp_carries_a_link_the_api_accepts()
    {
        var id = await Kit.OpenConsultative();
        await using var smtp = await SmtpTestServer.StartAsync();
        await using (var worker = await WorkerHost.StartAsync(Api.Database.ConnectionString, c =>
        {
            smtp.AddTo(c);
            c["Mail:JournalFolder"] = Path.Combine(Api.Database.Folder!, "journal");
            c["Mail:PublicBaseUrl"] = Api.BaseAddress.ToString().TrimEnd('/');
        }, s => s.AddSingleton<TimeProvider>(Api.Clock)))
        {
            var mailingId = await Kit.Scalar<long>("SELECT id FROM mailing WHERE source_id = @id AND purpose = 'voting-letter'", new { id });
            await MailTestData.WaitForStatus(Api, mailingId, "sent");
        }
        var letter = (await smtp.WaitForMessages(4)).Single(m => m.To.Mailboxes.Single().Address == "member3@example.org");
        var link = Regex.Match(letter.TextBody ?? "", @"http://127\.0\.0\.1:\d+/vote/[A-Za-z0-9_-]{22}").Value;
        Assert.That(link, Is.Not.Empty, "the link starts with Mail:PublicBaseUrl: " + letter.TextBody);

        var page = await Api.Client.GetAsync(link);
        Assert.That(page.StatusCode, Is.EqualTo(HttpStatusCode.OK), await page.Content.ReadAsStringAsync());
        var voted = await Api.Client.PostAsync(link, new FormUrlEncodedContent([new("q:boycott", "No"), new("q:timing", "Spring term")]));
        Assert.That(voted.StatusCode, Is.EqualTo(HttpStatusCode.OK));
        Assert.That(await voted.Content.ReadAsStringAsync(), Does.Contain("Your vote is recorded"));
        var member = await Kit.MemberId("M000003");
        Assert.That(await Kit.Scalar<long>("SELECT voted FROM ballot_elector WHERE ballot_id = @id AND member_id = @member", new { id, member }), Is.EqualTo(1));
        Assert.That((await TestPapers.OpenAsync(Api, id)).Single(),
            Is.EqualTo("""{"boycott":"No","timing":"Spring term"}"""));
    }

    [Test]
    public async Task A_worker_with_another_credential_key_refuses_to_open_a_ballot_or_render_a_link()
    {
        var opened = await Kit.OpenConsultative();   // the API's key is now the database's
        var draft = await Kit.Create(BallotKit.Consultative(Kit.Now, Kit.Now.AddDays(5)));
        var member = await Kit.MemberId("M000001");
        using var worker = Ballot.Worker.BallotWorker.Build([], b => b.Configuration.AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["Database:ConnectionString"] = Api.Database.ConnectionString,
            ["Ballots:CredentialKey"] = Convert.ToBase64String(Enumerable.Range(100, 32).Select(i => (byte)i).ToArray()),
        }));

        using var scope = worker.Services.CreateScope();
        var refused = Assert.ThrowsAsync<Conflict>(() => scope.ServiceProvider.GetRequiredService<IMediator>().Send(new OpenBallot.Command(draft, "worker")));
        Assert.That(refused!.Message, Does.Contain("Ballots:CredentialKey"));
        var fields = worker.Services.GetServices<ILetterFields>().Single(f => f.Source == "ballot");
        Assert.That(() => fields.FieldsFor(opened, member), Throws.InstanceOf<Conflict>().With.Message.Contains("Ballots:CredentialKey"));
        Assert.That(await Kit.Scalar<string>("SELECT status FROM ballot WHERE id = @draft", new { draft }), Is.EqualTo("draft"));

        // The API, holding the database's key, still opens it.
        await Kit.Open(draft);
    }

    [Test]
    public async Task The_key_lives_beside_the_sqlite_file_and_postgres_requires_the_setting()
    {
        if (TestDatabase.Engine == Ballot.Core.Data.Engine.Sqlite)
        {
            await Kit.OpenConsultative();
            Assert.That(File.Exists(Path.Combine(Api.Database.Folder!, "ballot-credentials.key")), Is.True);
            return;
        }
        await using var db = await TestDatabase.CreateAsync();
        // The options are first read while endpoints are mapped, so the validation failure may arrive wrapped.
        var failed = Assert.CatchAsync(async () => await ApiHost.StartAsync(s => s["Ballots:CredentialKey"] = null, db));
        Assert.That(failed!.ToString(), Does.Contain("OptionsValidationException").And.Contain("Ballots:CredentialKey is required on PostgreSQL"));
    }
}
