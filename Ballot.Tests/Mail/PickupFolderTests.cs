using System.Net;
using Ballot.Core.Mail;
using Ballot.Core.Staff;
using Ballot.Tests.Ballots;
using Ballot.Tests.Infrastructure;
using MimeKit;

namespace Ballot.Tests.Mail;

/// <summary>With no SMTP host (the embedded default) the worker writes each letter as an .eml file to the pickup folder.</summary>
public sealed class PickupFolderTests
{
    [Test]
    public async Task Without_an_smtp_host_letters_are_written_once_each_to_the_pickup_folder()
    {
        await using var api = await ApiHost.StartAsync();
        await MailTestData.ImportAsync(api, MailTestData.Register(5));
        var pickup = Path.Combine(api.Database.Folder!, "pickup");
        await using (var worker = await WorkerHost.StartAsync(api.Database.ConnectionString, c => c["Mail:PickupFolder"] = pickup))
        {
            var id = await MailTestData.EnqueueAsync(api, new NewMailing("campaign", "Hello {{ first_name }}", "Dear {{ first_name }}", null, null, null, null, api.Clock.GetUtcNow()));
            await MailTestData.WaitForStatus(api, id, "sent");
        }
        var files = Directory.GetFiles(pickup, "*.eml");
        Assert.That(files, Has.Length.EqualTo(5));
        var letters = files.Select(f => MimeMessage.Load(f)).ToList();
        Assert.That(letters.Select(l => l.To.Mailboxes.Single().Address), Is.EquivalentTo(Enumerable.Range(1, 5).Select(i => $"member{i}@example.org")));
        Assert.That(letters.Select(l => l.Subject), Has.Some.EqualTo("Hello First3"));
        Assert.That(files.Select(Path.GetFileName), Is.All.Matches<string>(f => f.StartsWith("m") && f.EndsWith(".eml")));
        Assert.That(Directory.GetFiles(pickup, "*.tmp"), Is.Empty);
    }

    private const UnixFileMode OwnerReadWrite = UnixFileMode.UserRead | UnixFileMode.UserWrite;

    /// <summary>Issue 11, flaw 7: letter files carry live voting links; other local users must not read them, nor may they linger.</summary>
    [Test]
    [System.Runtime.Versioning.UnsupportedOSPlatform("windows")]
    public async Task Letter_files_are_readable_only_by_the_worker_and_a_ballots_letters_are_deleted_when_it_closes()
    {
        await using var api = await ApiHost.StartAsync();
        var kit = new BallotKit(api);
        await kit.ImportMembers(MemberCsv.Generate(4, schools: 1));
        var pickup = Path.Combine(api.Database.Folder!, "pickup");
        Directory.CreateDirectory(pickup, OwnerReadWrite | UnixFileMode.UserExecute | UnixFileMode.GroupRead | UnixFileMode.GroupExecute
            | UnixFileMode.OtherRead | UnixFileMode.OtherExecute);   // made by hand, open to all, before the worker first ran
        await using var worker = await WorkerHost.StartAsync(api.Database.ConnectionString, c => c["Mail:PickupFolder"] = pickup);

        var campaign = await MailTestData.EnqueueAsync(api, new NewMailing("campaign", "News", "Dear {{ first_name }}", null, null, null, null, api.Clock.GetUtcNow()));
        await MailTestData.WaitForStatus(api, campaign, "sent");
        // The worker runs on the real clock (and closes due ballots), so the ballot stays open for a year from now.
        var ballotId = await kit.Create(BallotKit.Consultative(kit.Now, DateTimeOffset.UtcNow.AddDays(365)));
        await kit.Open(ballotId);
        var letters = await kit.Scalar<long>("SELECT id FROM mailing WHERE source = 'ballot' AND source_id = @ballotId AND purpose = 'voting-letter'", new { ballotId });
        await MailTestData.WaitForStatus(api, letters, "sent");

        Assert.That(File.GetUnixFileMode(pickup), Is.EqualTo(OwnerReadWrite | UnixFileMode.UserExecute), "the folder is 0700");
        var files = Directory.GetFiles(pickup, "*.eml");
        Assert.That(files, Has.Length.EqualTo(8));
        Assert.That(files.Select(f => File.GetUnixFileMode(f)), Is.All.EqualTo(OwnerReadWrite), "every letter is 0600");
        var ballotFiles = files.Where(f => Path.GetFileName(f).StartsWith($"m{letters}.r", StringComparison.Ordinal)).ToList();
        Assert.That(ballotFiles, Has.Count.EqualTo(4));
        var link = await kit.Credential(ballotId, "M000001");
        Assert.That(ballotFiles.Select(f => MimeMessage.Load(f).TextBody), Has.Some.Contains("/vote/" + link));

        var sweep = worker.Host.Services.GetRequiredService<PickupSweep>();
        Assert.That(await sweep.RunAsync(CancellationToken.None), Is.Zero, "an open ballot's letters stay");
        using (var exec = await api.ClientFor(Roles.Executive))
            await (await exec.PostAsync($"/api/ballots/{ballotId}/close", null)).AssertStatus(HttpStatusCode.OK);
        Assert.That(await sweep.RunAsync(CancellationToken.None), Is.EqualTo(4));
        Assert.That(ballotFiles.Where(File.Exists), Is.Empty, "the closed ballot's letters are gone");
        var left = Directory.GetFiles(pickup, "*.eml");
        Assert.That(left, Has.Length.EqualTo(4), "campaign letters stay until their retention ends");

        foreach (var f in left) File.SetLastWriteTimeUtc(f, DateTime.UtcNow - TimeSpan.FromHours(169));
        Assert.That(await sweep.RunAsync(CancellationToken.None), Is.EqualTo(4));
        Assert.That(Directory.GetFiles(pickup), Is.Empty);
    }

    [Test]
    public async Task A_retention_outside_its_range_stops_the_worker_starting()
    {
        await using var db = await TestDatabase.CreateAsync();
        var e = Assert.ThrowsAsync<Microsoft.Extensions.Options.OptionsValidationException>(async () =>
            await WorkerHost.StartAsync(db.ConnectionString, c => c["Mail:PickupRetentionHours"] = "0"));
        Assert.That(e!.Message, Does.Contain("PickupRetentionHours"));
    }
}

/// <summary>Mail:RatePerSecond paces the whole worker process.</summary>
public sealed class ThrottleTests
{
    [Test]
    public async Task Letters_leave_no_faster_than_the_configured_rate()
    {
        await using var api = await ApiHost.StartAsync();
        await MailTestData.ImportAsync(api, MailTestData.Register(60));
        var pickup = Path.Combine(api.Database.Folder!, "pickup");
        await using var worker = await WorkerHost.StartAsync(api.Database.ConnectionString, c =>
        {
            c["Mail:PickupFolder"] = pickup;
            c["Mail:RatePerSecond"] = "30";
            c["Mail:BatchSize"] = "10";
        });
        var id = await MailTestData.EnqueueAsync(api, new NewMailing("campaign", "Hello", "Dear {{ first_name }}", null, null, null, null, api.Clock.GetUtcNow()));
        var first = DateTime.UtcNow;
        while (!Directory.Exists(pickup) || Directory.GetFiles(pickup, "*.eml").Length == 0)
        {
            Assert.That(DateTime.UtcNow - first, Is.LessThan(TimeSpan.FromSeconds(30)), "no letter was written");
            await Task.Delay(10);
        }
        var started = DateTime.UtcNow;
        await MailTestData.WaitForStatus(api, id, "sent");
        var elapsed = DateTime.UtcNow - started;
        Assert.That(Directory.GetFiles(pickup, "*.eml"), Has.Length.EqualTo(60));
        // 60 letters at 30/s: about 2 s (less the first letter and a 50 ms burst allowance).
        Assert.That(elapsed, Is.GreaterThan(TimeSpan.FromSeconds(1.6)), $"took {elapsed}");
    }
}
