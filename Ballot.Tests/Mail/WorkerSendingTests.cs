using Ballot.Core.Mail;
using Ballot.Tests.Infrastructure;
using Dapper;
using MimeKit;

namespace Ballot.Tests.Mail;

/// <summary>The worker sends scheduled mailings to a real SMTP server on loopback.</summary>
public sealed class WorkerSendingTests
{
    private ApiHost _api = null!;
    private SmtpTestServer _smtp = null!;
    private WorkerHost _worker = null!;
    private string _journal = null!;

    [OneTimeSetUp]
    public async Task Start()
    {
        _api = await ApiHost.StartAsync();
        await MailTestData.ImportAsync(_api, MailTestData.Register(12, "reject.one", "busy.one", "drop.one"));
        _smtp = await SmtpTestServer.StartAsync();
        _journal = Path.Combine(_api.Database.Folder!, "journal");
        _worker = await WorkerHost.StartAsync(_api.Database.ConnectionString, c =>
        {
            _smtp.AddTo(c);
            c["Mail:JournalFolder"] = _journal;
            c["Mail:MaxAttempts"] = "3";
        });
    }

    [OneTimeTearDown]
    public async Task Stop()
    {
        await _worker.DisposeAsync();
        await _smtp.DisposeAsync();
        await _api.DisposeAsync();
    }

    private int AcceptedFor(string email) => _smtp.Accepted().Count(a => a.Recipient == email);

    [Test]
    public async Task A_scheduled_campaign_mailing_reaches_every_member_with_merged_fields_both_parts_and_unsubscribe_headers()
    {
        var before = _smtp.Accepted().Count;
        var id = await MailTestData.EnqueueAsync(_api, new NewMailing("campaign", "Why we oppose the scheme, {{ first_name }}",
            "Dear {{ first_name }} {{ last_name }},\n\nThe Executive writes to every member at **{{ workplace }}** ({{ member.employer }}).\n\n- one\n- two\n\nRead [the motion](https://union.example/motion).",
            "executive@union.example", null, null, "campaign", _api.Clock.GetUtcNow()), "m.membership_number LIKE 'M%'");
        await MailTestData.WaitForStatus(_api, id, "sent");

        var letters = (await _smtp.WaitForMessages(before + 12)).Where(m => (m.MessageId ?? "").StartsWith($"m{id}.")).ToList();
        Assert.That(letters.Select(l => l.To.Mailboxes.Single().Address), Is.EquivalentTo(Enumerable.Range(1, 12).Select(i => $"member{i}@example.org")));
        var first = letters.Single(l => l.To.Mailboxes.Single().Address == "member1@example.org");
        Assert.That(first.Subject, Is.EqualTo("Why we oppose the scheme, First1"));
        Assert.That(first.From.Mailboxes.Single().Address, Is.EqualTo("letters@union.example"));
        Assert.That(first.ReplyTo.Mailboxes.Single().Address, Is.EqualTo("executive@union.example"));
        Assert.That(first.Body, Is.InstanceOf<MultipartAlternative>());
        Assert.That(first.TextBody, Does.Contain("Dear First1 Last1"));
        Assert.That(first.TextBody, Does.Contain("School 1 (Employer 1)"));
        Assert.That(first.TextBody, Does.Contain("the motion <https://union.example/motion>"));
        Assert.That(first.TextBody, Does.Contain("Hamilton House, Mabledon Place"));
        Assert.That(first.HtmlBody, Does.Contain("<strong>School 1</strong>"));
        Assert.That(first.HtmlBody, Does.Contain("<li>one</li>"));
        Assert.That(first.HtmlBody, Does.Contain("National Union of Teachers"));
        var unsubscribe = first.Headers["List-Unsubscribe"] ?? "";
        Assert.That(unsubscribe, Does.Match("^<http://localhost:5080/unsubscribe/[0-9]+-[A-Za-z0-9_-]{22}>$"));
        Assert.That(first.Headers["List-Unsubscribe-Post"], Is.EqualTo("List-Unsubscribe=One-Click"));
        Assert.That(first.HtmlBody, Does.Contain(unsubscribe!.Trim('<', '>')));
        Assert.That(first.TextBody, Does.Contain(unsubscribe.Trim('<', '>')));
        Assert.That(letters.Select(l => l.MessageId ?? "").Distinct().Count(), Is.EqualTo(12));

        await using var conn = await _api.OpenAsync();
        var rows = await MailTestData.Recipients(conn, id);
        Assert.That(rows.Select(r => r.State), Is.All.EqualTo("sent"));
        Assert.That(rows.Select(r => r.Attempts), Is.All.EqualTo(1));
    }

    [Test]
    public async Task Statutory_ballot_mail_merges_the_sources_fields_and_has_no_unsubscribe()
    {
        // Links exist only for an opened ballot (its salt, ADR 0221): one opened over a school of its own, so its own
        // voting letter goes to nobody the other tests count.
        await MailTestData.ImportAsync(_api, MemberCsv.Header + "\nX00001,Isolated,Member,isolated@example.org,Isolated School,Employer 9,Region 9,teacher\n");
        var kit = new Ballot.Tests.Ballots.BallotKit(_api);
        var workplace = await kit.Scalar<long>("SELECT id FROM workplace WHERE name = 'Isolated School'");
        var ballotId = await kit.Create(Ballot.Tests.Ballots.BallotKit.Consultative(kit.Now, kit.Now.AddDays(10), $$"""{"workplaceIds":[{{workplace}}]}"""));
        await kit.Open(ballotId);
        var before = _smtp.Accepted().Count;
        var id = await MailTestData.EnqueueAsync(_api, new NewMailing("statutory", "Your ballot paper",
            "Dear {{ first_name }},\n\nVote here: {{ vote_url }}", null, "ballot", ballotId, "voting-letter", _api.Clock.GetUtcNow()),
            "m.membership_number IN ('M000001', 'M000002')");
        await MailTestData.WaitForStatus(_api, id, "sent");
        var letters = (await _smtp.WaitForMessages(before + 2)).Where(m => (m.MessageId ?? "").StartsWith($"m{id}.")).ToList();
        Assert.That(letters, Has.Count.EqualTo(2));
        await using var conn = await _api.OpenAsync();
        var memberId = await conn.ExecuteScalarAsync<long>("SELECT id FROM member WHERE membership_number = 'M000001'");
        var first = letters.Single(l => l.To.Mailboxes.Single().Address == "member1@example.org");
        // The worker's real link source: the same link the API derives (one key, one Mail:PublicBaseUrl).
        var link = (string)_api.App.Services.GetServices<ILetterFields>().Single(f => f.Source == "ballot").FieldsFor(ballotId, memberId)["vote_url"]!;
        Assert.That(link, Does.Match("^http://localhost:5080/vote/[A-Za-z0-9_-]{22}$"));
        Assert.That(first.TextBody, Does.Contain($"Vote here: {link}"));
        Assert.That(first.HtmlBody, Does.Contain($"href=\"{link}\""));
        Assert.That(first.Headers.Contains("List-Unsubscribe"), Is.False);
        Assert.That(first.Headers.Contains("List-Unsubscribe-Post"), Is.False);
        Assert.That(first.TextBody + first.HtmlBody, Does.Not.Contain("nsubscribe"));
    }

    [Test]
    public async Task A_5xx_fails_that_recipient_with_the_reply_a_4xx_and_a_dropped_connection_are_retried_and_the_rest_go_on()
    {
        var id = await MailTestData.EnqueueAsync(_api, new NewMailing("campaign", "Hello", "Hello {{ first_name }}", null, null, null, null, _api.Clock.GetUtcNow()),
            "m.membership_number LIKE 'S%' OR m.membership_number IN ('M000003', 'M000004')");
        await MailTestData.WaitForStatus(_api, id, "sent");
        await using var conn = await _api.OpenAsync();
        var rows = (await MailTestData.Recipients(conn, id)).ToDictionary(r => r.Email);
        Assert.That(rows["reject.one@example.org"].State, Is.EqualTo("failed"));
        Assert.That(rows["reject.one@example.org"].LastError, Does.StartWith("550").And.Contain("mailbox unavailable"));
        Assert.That(rows["busy.one@example.org"].State, Is.EqualTo("sent"));
        Assert.That(rows["busy.one@example.org"].Attempts, Is.GreaterThanOrEqualTo(2), "the 451 counted as an attempt");
        Assert.That(rows["drop.one@example.org"].State, Is.EqualTo("sent"));
        Assert.That(rows["member3@example.org"].State, Is.EqualTo("sent"));
        Assert.That(rows["member4@example.org"].State, Is.EqualTo("sent"));
        await Task.Delay(200);
        Assert.That(AcceptedFor("reject.one@example.org"), Is.Zero);
        Assert.That(_smtp.Accepted().Count(a => a.MessageId.StartsWith($"m{id}.") && a.Recipient == "busy.one@example.org"), Is.EqualTo(1));
        Assert.That(_smtp.Accepted().Count(a => a.MessageId.StartsWith($"m{id}.") && a.Recipient == "drop.one@example.org"), Is.EqualTo(1));
    }
}
