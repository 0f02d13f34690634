using Ballot.Core.Mail;
using Ballot.Tests.Infrastructure;
using Dapper;

namespace Ballot.Tests.Mail;

/// <summary>
/// The real worker process (dotnet Ballot.Worker.dll) is killed with SIGKILL twice in the middle of a mailing and
/// started again: every member ends with one letter in the SMTP server's log (a second copy of the same letter only in
/// the microseconds ADR 0101 names, at most one per connection per kill), and none is left pending.
/// </summary>
public sealed class WorkerKillTests
{
    private const int Members = 3000;
    private const int MaxConnections = 4;

    private static AppProcess StartWorker(TestDatabase db, SmtpTestServer smtp, string log)
    {
        var settings = AppProcess.Settings(db);
        foreach (var (key, value) in smtp.Environment) settings[key] = value;
        settings["Mail__JournalFolder"] = Path.Combine(db.Folder!, "journal");
        settings["Mail__RatePerSecond"] = "400"; // slow enough for the kills to land mid-mailing
        settings["Mail__BatchSize"] = "100";
        settings["Mail__MaxConnections"] = MaxConnections.ToString();
        settings["Mail__LeaseSeconds"] = "2";
        settings["Worker__PollSeconds"] = "1";
        return AppProcess.StartWorker(settings, log, db.Folder);
    }

    private static async Task WaitForAccepted(SmtpTestServer smtp, int count)
    {
        var until = DateTime.UtcNow.AddSeconds(60);
        while (smtp.Accepted().Count < count)
        {
            if (DateTime.UtcNow > until) Assert.Fail($"the server accepted only {smtp.Accepted().Count} letters");
            await Task.Delay(20);
        }
    }

    [Test]
    public async Task Killing_the_worker_twice_mid_mailing_leaves_every_member_exactly_one_letter_and_none_pending()
    {
        await using var api = await ApiHost.StartAsync();
        await MailTestData.ImportAsync(api, MemberCsv.Generate(Members));
        await using var smtp = await SmtpTestServer.StartAsync(keepFiles: false);
        var id = await MailTestData.EnqueueAsync(api, new NewMailing("campaign", "Why we oppose the scheme, {{ first_name }}",
            "Dear {{ first_name }},\n\nThe Executive writes to every member at {{ workplace }}.", null, null, null, null, api.Clock.GetUtcNow()));
        var folder = api.Database.Folder!;
        var log = Path.Combine(folder, "worker.log");

        var killedAt = new List<int>();
        foreach (var fraction in new[] { 0.25, 0.6 })
        {
            var worker = StartWorker(api.Database, smtp, log);
            await WaitForAccepted(smtp, (int)(Members * fraction));
            await worker.KillAsync();
            killedAt.Add(smtp.Accepted().Count);
        }
        Assert.That(killedAt, Has.All.LessThan(Members), "each kill landed before the mailing finished");

        await using (StartWorker(api.Database, smtp, log))
            await MailTestData.WaitForStatus(api, id, "sent", TimeSpan.FromSeconds(60));

        var accepted = smtp.Accepted().Where(a => a.MessageId.StartsWith($"m{id}.")).ToList();
        var perMember = accepted.GroupBy(a => a.Recipient).ToDictionary(g => g.Key, g => g.ToList());
        // The one window ADR 0101 leaves: a kill after a letter's end-of-data dot reached the socket and before its "D"
        // line reached the journal (a few microseconds per letter) sends that letter again, with the same Message-ID,
        // so receiving systems drop the copy. At most one such letter per connection per kill; anything more is a
        // batch resent, which the journal exists to prevent.
        var twice = perMember.Where(kv => kv.Value.Count > 1).ToList();
        Assert.That(twice.Select(kv => kv.Value.Count), Has.All.EqualTo(2), "no member got more than two copies");
        Assert.That(twice.Select(kv => kv.Value.Select(a => a.MessageId).Distinct().Count()), Has.All.EqualTo(1),
            "a second copy is the same letter (the same Message-ID)");
        Assert.That(twice, Has.Count.LessThanOrEqualTo(killedAt.Count * MaxConnections),
            $"members who got a second copy: {string.Join(", ", twice.Select(kv => kv.Key))}");
        Assert.That(perMember.Keys, Is.EquivalentTo(Enumerable.Range(1, Members).Select(i => $"member{i}@example.org")), "every member got a letter");
        Assert.That(accepted.Select(a => a.MessageId).Distinct().Count(), Is.EqualTo(Members), "one stable Message-ID per recipient row");

        await using var conn = await api.OpenAsync();
        var states = (await conn.QueryAsync<(string, long)>(
            "SELECT state, COUNT(*) FROM mailing_recipient WHERE mailing_id = @id GROUP BY state", new { id })).ToDictionary(x => x.Item1, x => x.Item2);
        Assert.That(states, Is.EqualTo(new Dictionary<string, long> { ["sent"] = Members }));
        // The kills caught letters in flight: the restarted worker settled them from the dead runs' journals.
        string workerLog;
        using (var f = new FileStream(log, FileMode.Open, FileAccess.Read, FileShare.ReadWrite)) workerLog = new StreamReader(f).ReadToEnd();
        var settled = System.Text.RegularExpressions.Regex.Matches(workerLog, @"settled (\d+) letters left by stopped run [^:]+: (\d+) had reached the server");
        Assert.That(settled.Sum(m => int.Parse(m.Groups[2].Value)), Is.GreaterThan(0), "letters the server had taken before the kill, known only from the journal");
        TestContext.Out.WriteLine($"killed at {string.Join(", ", killedAt)} accepted letters; settled from journals: "
            + string.Join("; ", settled.Select(m => m.Value)));
    }
}
