using System.Diagnostics;
using System.Net.Sockets;
using System.Text;
using Ballot.Core;
using Ballot.Core.Data;
using Ballot.Core.Mail;
using Ballot.Core.Members;
using Dapper;
using MailKit.Net.Smtp;
using MailKit.Security;
using MediatR;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Npgsql;

namespace Ballot.Bench.Mail;

public static class Throughput
{
    public static async Task<int> RunAsync(string[] args)
    {
        int Arg(string name, int d) => args.SkipWhile(a => a != name).Skip(1).Select(int.Parse).DefaultIfEmpty(d).First();
        string ArgS(string name, string d) => args.SkipWhile(a => a != name).Skip(1).DefaultIfEmpty(d).First();
        var members = Arg("--members", 450_000);
        var runs = Arg("--runs", 1);
        var connections = Arg("--connections", 4);
        var batch = Arg("--batch", 250);
        var engine = ArgS("--engine", "sqlite");
        var root = FindRoot();
        var workerDll = Path.Combine(root, "Ballot.Worker/bin/Release/net10.0/Ballot.Worker.dll");
        if (!File.Exists(workerDll)) { Console.Error.WriteLine($"Build first: dotnet build -c Release Ballot.sln ({workerDll} missing)"); return 1; }

        var work = Path.Combine(Path.GetTempPath(), "ballot-bench-mail", Environment.ProcessId.ToString());
        Directory.CreateDirectory(work);
        string connectionString;
        string? pgDb = null;
        var pgAdmin = Environment.GetEnvironmentVariable("BALLOT_TEST_PG") ?? "Host=127.0.0.1;Port=5432;Username=ballot;Password=ballot;Database=postgres";
        if (engine == "postgres")
        {
            pgDb = $"ballot_bench_mail_{Environment.ProcessId}";
            await Pg(pgAdmin, $"CREATE DATABASE {pgDb}");
            connectionString = new NpgsqlConnectionStringBuilder(pgAdmin) { Database = pgDb }.ConnectionString;
        }
        else connectionString = $"Data Source={Path.Combine(work, "ballot.db")}";

        var builder = Host.CreateApplicationBuilder();
        builder.Logging.ClearProviders();
        builder.Configuration.AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["Database:ConnectionString"] = connectionString,
            ["Ballots:CredentialKey"] = "AQIDBAUGBwgJCgsMDQ4PEBESExQVFhcYGRobHB0eHyA=",
            ["Mail:UnionName"] = "National Union of Teachers",
            ["Mail:UnionAddress"] = "Hamilton House, Mabledon Place, London WC1H 9BD",
            ["Mail:FromAddress"] = "letters@union.example",
        });
        builder.AddBallotCore();
        using var host = builder.Build();
        host.Services.GetRequiredService<Migrator>().Migrate();
        var db = host.Services.GetRequiredService<Db>();

        var sw = Stopwatch.StartNew();
        using (var scope = host.Services.CreateScope())
        using (var csv = new MemoryStream(Register(members)))
            await scope.ServiceProvider.GetRequiredService<IMediator>().Send(new ImportMembers.Command(csv, new Ballot.Core.Staff.StaffActor("token", "0", "Bench", "organiser")));
        Console.WriteLine($"engine={engine} members={members} connections={connections} batch={batch} cores={Environment.ProcessorCount} (register imported in {sw.Elapsed.TotalSeconds:0.0} s)");

        var port = FreePort();
        var sinkArgs = new List<string>();
        if (Environment.UserName == "root") sinkArgs.AddRange(["-u", "nobody"]);
        sinkArgs.AddRange([$"127.0.0.1:{port}", "1024"]);
        using var sink = Process.Start(new ProcessStartInfo("/usr/sbin/smtp-sink", sinkArgs) { UseShellExecute = false })!;
        await Task.Delay(500);

        var keys = host.Services.GetRequiredService<MailKeys>();
        await keys.LoadAsync();
        var composer = host.Services.GetRequiredService<LetterComposer>();
        List<LetterRecipient> recipients;
        await using (var conn = await db.OpenAsync())
            recipients = (await conn.QueryAsync<LetterRecipient>("""
                SELECT m.id AS MemberId, m.membership_number AS MembershipNumber, m.first_name AS FirstName, m.last_name AS LastName,
                       m.email AS Email, w.name AS Workplace, w.employer AS Employer, w.region AS Region, c.label AS Category
                FROM member m JOIN workplace w ON w.id = m.workplace_id LEFT JOIN member_category c ON c.code = m.category
                ORDER BY m.id
                """)).ToList();

        var results = new List<(double Ceiling, double Worker, long PeakRssMb, string Rss)>();
        for (var run = 1; run <= runs; run++)
        {
            var ceiling = await Ceiling(composer, recipients, port, connections);
            Console.WriteLine($"run {run}: ceiling (bare MailKit loop, {connections} connections): {ceiling:0} letters/s");
            var (rate, peak, rss) = await Worker(db, workerDll, connectionString, port, connections, batch, work, members);
            Console.WriteLine($"run {run}: worker: {rate:0} letters/s ({rate / ceiling:P0} of the ceiling); worker peak RSS {peak} MB; RSS over the run (MB): {rss}");
            results.Add((ceiling, rate, peak, rss));
        }
        sink.Kill();
        if (pgDb is not null) { NpgsqlConnection.ClearAllPools(); await Pg(pgAdmin, $"DROP DATABASE IF EXISTS {pgDb} WITH (FORCE)"); }
        try { Directory.Delete(work, true); } catch (IOException) { }

        double Median(IEnumerable<double> xs) { var s = xs.Order().ToArray(); return s.Length % 2 == 1 ? s[s.Length / 2] : (s[s.Length / 2 - 1] + s[s.Length / 2]) / 2; }
        var mc = Median(results.Select(r => r.Ceiling));
        var mw = Median(results.Select(r => r.Worker));
        Console.WriteLine($"median of {runs}: ceiling {mc:0} letters/s, worker {mw:0} letters/s = {mw / mc:P0}; whole mailing of {members} in {members / mw:0} s; worker peak RSS max {results.Max(r => r.PeakRssMb)} MB");
        return 0;
    }

    /// <summary>The same letters, composed the same way, sent by N bare MailKit sessions (NoDelay) with no database.</summary>
    private static async Task<double> Ceiling(LetterComposer composer, List<LetterRecipient> recipients, int port, int connections)
    {
        var mailing = new MailingToSend { Id = 999_999, Kind = "campaign", Subject = RenderBench.Subject, BodyMarkdown = RenderBench.Body, Status = "sending" };
        var template = LetterTemplate.Compile(mailing.Subject, mailing.BodyMarkdown);
        var next = -1;
        var sw = Stopwatch.StartNew();
        await Task.WhenAll(Enumerable.Range(0, connections).Select(async _ =>
        {
            await Task.Yield();
            using var client = new SmtpClient();
            var socket = new Socket(SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
            await socket.ConnectAsync("127.0.0.1", port);
            await client.ConnectAsync(socket, "127.0.0.1", port, SecureSocketOptions.None);
            int i;
            while ((i = Interlocked.Increment(ref next)) < recipients.Count)
                await client.SendAsync(composer.Compose(mailing, template, recipients[i], i, DateTimeOffset.UtcNow));
            await client.DisconnectAsync(true);
        }));
        return recipients.Count / sw.Elapsed.TotalSeconds;
    }

    private static async Task<(double Rate, long PeakMb, string Rss)> Worker(Db db, string workerDll, string connectionString, int port,
        int connections, int batch, string work, int members)
    {
        long id;
        await using (var conn = await db.OpenAsync())
        await using (var tx = await db.BeginWriteAsync(conn))
        {
            id = await MailQueue.EnqueueAsync(conn, tx, new NewMailing("campaign", RenderBench.Subject, RenderBench.Body, null, null, null, "bench",
                DateTimeOffset.UtcNow), "SELECT id AS member_id, email FROM member");
            await tx.CommitAsync();
        }
        var psi = new ProcessStartInfo("dotnet", [workerDll]) { UseShellExecute = false, RedirectStandardOutput = true, WorkingDirectory = work };
        psi.Environment["Database__ConnectionString"] = connectionString;
        psi.Environment["Ballots__CredentialKey"] = "AQIDBAUGBwgJCgsMDQ4PEBESExQVFhcYGRobHB0eHyA=";   // required on PostgreSQL; a bench-only key
        psi.Environment["Smtp__Host"] = "127.0.0.1";
        psi.Environment["Smtp__Port"] = port.ToString();
        psi.Environment["Smtp__Security"] = "None";
        psi.Environment["Mail__RatePerSecond"] = "0";
        psi.Environment["Mail__MaxConnections"] = connections.ToString();
        psi.Environment["Mail__BatchSize"] = batch.ToString();
        psi.Environment["Mail__JournalFolder"] = Path.Combine(work, "journal");
        psi.Environment["Mail__UnionName"] = "National Union of Teachers";
        psi.Environment["Mail__UnionAddress"] = "Hamilton House, Mabledon Place, London WC1H 9BD";
        psi.Environment["Mail__FromAddress"] = "letters@union.example";
        psi.Environment["Worker__PollSeconds"] = "1";
        psi.Environment["Worker__DashboardUrls"] = "http://127.0.0.1:0";
        psi.Environment["Logging__LogLevel__Default"] = "Warning";
        using var worker = Process.Start(psi)!;
        worker.OutputDataReceived += (_, _) => { };
        worker.BeginOutputReadLine();

        var rss = new List<long>();
        Stopwatch? sending = null;
        var lastSample = Stopwatch.StartNew();
        while (true)
        {
            await Task.Delay(100);
            string status;
            await using (var conn = await db.OpenAsync())
                status = await conn.ExecuteScalarAsync<string>("SELECT status FROM mailing WHERE id = @id", new { id }) ?? "";
            if (status == "sending" && sending is null) sending = Stopwatch.StartNew();
            if (lastSample.Elapsed.TotalSeconds >= 1) { rss.Add(Status(worker.Id, "VmRSS")); lastSample.Restart(); }
            if (status == "sent") break;
            if (worker.HasExited) throw new InvalidOperationException("the worker stopped");
        }
        var seconds = sending!.Elapsed.TotalSeconds;
        var peak = Status(worker.Id, "VmHWM");
        worker.Kill();
        await worker.WaitForExitAsync();
        await using (var conn = await db.OpenAsync())
        {
            var sent = await conn.ExecuteScalarAsync<long>("SELECT COUNT(*) FROM mailing_recipient WHERE mailing_id = @id AND state = 'sent'", new { id });
            if (sent != members) throw new InvalidOperationException($"only {sent} of {members} sent");
        }
        var step = Math.Max(1, rss.Count / 10);
        return (members / seconds, peak / 1024, string.Join(" ", rss.Where((_, i) => i % step == 0).Select(k => (k / 1024).ToString())));
    }

    /// <summary>A field of /proc/PID/status in kB (VmRSS: now; VmHWM: the peak).</summary>
    private static long Status(int pid, string field)
    {
        try
        {
            var line = File.ReadLines($"/proc/{pid}/status").First(l => l.StartsWith(field + ":"));
            return long.Parse(line.Split(':')[1].Trim().Split(' ')[0]);
        }
        catch (IOException) { return 0; }
    }

    private static byte[] Register(int count)
    {
        var sb = new StringBuilder("membership_number,first_name,last_name,email,workplace,employer,region,category\n");
        for (var i = 1; i <= count; i++)
        {
            var s = i % 9000;
            sb.Append($"M{i:D6},First{i},Last{i},member{i}@example.org,School {s},Employer {s % 150},Region {s % 12},teacher\n");
        }
        return Encoding.UTF8.GetBytes(sb.ToString());
    }

    private static int FreePort()
    {
        using var l = new System.Net.Sockets.TcpListener(System.Net.IPAddress.Loopback, 0);
        l.Start();
        return ((System.Net.IPEndPoint)l.LocalEndpoint).Port;
    }

    private static async Task Pg(string admin, string sql)
    {
        await using var c = new NpgsqlConnection(admin);
        await c.OpenAsync();
        await using var cmd = new NpgsqlCommand(sql, c);
        await cmd.ExecuteNonQueryAsync();
    }

    private static string FindRoot()
    {
        var dir = new DirectoryInfo(AppContext.BaseDirectory);
        while (dir is not null && !File.Exists(Path.Combine(dir.FullName, "Ballot.sln"))) dir = dir.Parent;
        return dir?.FullName ?? throw new InvalidOperationException("Run from inside the repository.");
    }
}
