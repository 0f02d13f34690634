using Ballot.Core.Mail;
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
