// The ballot pages of issue 13, as a signed-in scrutineer meets them on the real API process:
//   Result:  a per-workplace ballot over 25,000 workplaces with N papers, closed and counted; the result page's first
//            page, a later page of constituencies, and a receipt search.
//   Turnout: a per-workplace ballot of N electors, open; the turnout page timed one request at a time while wrk casts
//            votes at full speed through POST /api/votes, with the vote rate of the same seconds and the ping ceiling
//            of the same process beside it.
using System.Diagnostics;
using System.Net;
using System.Text.RegularExpressions;
using Ballot.Core.Ballots;
using Ballot.Core.Data;
using Ballot.Core.Staff;
using Ballot.Core.Staff.Accounts;
using Dapper;
using MediatR;
using Microsoft.Extensions.DependencyInjection;
using Npgsql;

internal sealed class BallotPages(string root, string apiDll, string conn, string keyFile, int requests, int runs, int seconds)
{
    private const string Email = "scrutineer@bench.example", Password = "bench scrutineer password 1";
    private string? _authenticatorKey;

    public async Task Result(int votes)
    {
        long ballotId;
        string receipt;
        using (var host = BenchKit.Host(conn, keyFile))
        {
            var sw = Stopwatch.StartNew();
            var db = host.Services.GetRequiredService<Db>();
            var mediator = host.Services.GetRequiredService<IMediator>();
            await BenchKit.SeedMembers(db, votes + votes / 19);   // one member in twenty is lapsed: votes active members
            await Scrutineer(mediator);
            var now = DateTimeOffset.UtcNow;
            ballotId = (await mediator.Send(new CreateBallot.Command(Input(now, now.AddDays(1)), "bench"))).Id;
            var trustees = await BenchCeremony.RunAsync(mediator, ballotId);
            await mediator.Send(new OpenBallot.Command(ballotId, "bench"));
            await FillPapers(db, ballotId, await host.Services.GetRequiredService<Ballot.Core.Ballots.Voting.BallotSealer>().KeyAsync(ballotId));
            await using (var c = await db.OpenAsync())
                await c.ExecuteAsync("UPDATE ballot SET closes_at = @past WHERE id = @id", new { past = DateTimeOffset.UtcNow.AddSeconds(-1), id = ballotId });
            await mediator.Send(new CloseBallot.Command(ballotId, "bench"));
            // Two of the three trustees decrypt the sums, as the trustee command would; the second answer counts it.
            await using (var c = await db.OpenAsync())
            {
                var flat = Ballot.Core.Ballots.Count.PaperSums.Flatten((await Ballot.Core.Ballots.Count.PaperSums.LoadAsync(c, null, ballotId)).Select(x => x.Sum));
                foreach (var t in trustees.Take(2))
                    await mediator.Send(new SubmitDecryption.Command(ballotId, t.Decrypt(Ballot.Core.Sealing.SealingContext.ForBallot(ballotId), flat), BenchCeremony.ActorOf(ballotId, t.Index)));
            }
            Console.WriteLine($"seeded, opened, voted and counted {votes} papers in {sw.Elapsed.TotalSeconds:0} s");
            await using var read = await db.OpenAsync();
            receipt = Receipts.Display(await read.ExecuteScalarAsync<string>("SELECT tracker FROM ballot_paper WHERE ballot_id = @ballotId ORDER BY tracker LIMIT 1 OFFSET 12345", new { ballotId }) ?? "");
        }
        var pages = new (string Name, string Path)[]
        {
            ("POST /api/ping", "/api/ping"),
            ("result, first page", $"/ballots/{ballotId}/result"),
            ("result, page 200 of constituencies", $"/ballots/{ballotId}/result?page=200"),
            ("result, receipt search", $"/ballots/{ballotId}/result?receipt={Uri.EscapeDataString(receipt)}"),
        };
        var times = pages.ToDictionary(p => p.Name, _ => (P50: new List<double>(), P95: new List<double>(), Cpu: new List<double>()));
        for (var run = 1; run <= runs; run++)
        {
            var (api, http) = await Start(run);
            foreach (var (name, path) in pages)
            {
                var (p50, p95, n, body, cpu) = await Time(http, path, () => false, api);
                if (name.StartsWith("result, receipt") && !body.Contains(receipt)) throw new Exception($"receipt {receipt} not found by the search");
                times[name].P50.Add(p50);
                times[name].P95.Add(p95);
                times[name].Cpu.Add(cpu);
                Console.WriteLine($"run {run}: {name,-36} n {n,4}  p50 {p50,7:0.0} ms  p95 {p95,7:0.0} ms  API CPU {cpu,6:0.0} ms a request  {body.Length / 1024.0:0} KB");
            }
            await Stop(api, http);
        }
        Console.WriteLine($"\nmedian of {runs} runs ({requests} requests each, one at a time):");
        Console.WriteLine("| page | p50 ms | p95 ms | API CPU ms a request |");
        Console.WriteLine("|---|---:|---:|---:|");
        foreach (var (name, _) in pages)
            Console.WriteLine($"| {name} | {BenchKit.Median(times[name].P50):0.0} | {BenchKit.Median(times[name].P95):0.0} | {BenchKit.Median(times[name].Cpu):0.0} |");
    }

    public async Task Turnout(int electors)
    {
        long ballotId;
        var credentialFiles = new List<string>();
        using (var host = BenchKit.Host(conn, keyFile))
        {
            var sw = Stopwatch.StartNew();
            var db = host.Services.GetRequiredService<Db>();
            var mediator = host.Services.GetRequiredService<IMediator>();
            await BenchKit.SeedMembers(db, electors);
            await Scrutineer(mediator);
            var now = DateTimeOffset.UtcNow;
            ballotId = (await mediator.Send(new CreateBallot.Command(Input(now, now.AddDays(1)), "bench"))).Id;
            await BenchCeremony.RunAsync(mediator, ballotId);
            await mediator.Send(new OpenBallot.Command(ballotId, "bench"));
            // Each run votes with credentials of its own (one vote each), in no particular order.
            await using var c = await db.OpenAsync();
            var ids = (await c.QueryAsync<long>("SELECT member_id FROM ballot_elector WHERE ballot_id = @ballotId", new { ballotId })).ToArray();
            new Random(1).Shuffle(ids);
            var forBallot = host.Services.GetRequiredService<Credentials>().ForBallot(ballotId);
            var share = ids.Length / (runs + 1);
            for (var run = 0; run <= runs; run++)
            {
                var file = Path.Combine(Path.GetDirectoryName(keyFile)!, $"credentials-{run}.txt");
                await File.WriteAllLinesAsync(file, ids.Skip(run * share).Take(share).Select(forBallot.For));
                credentialFiles.Add(file);
            }
            Console.WriteLine($"seeded and opened a ballot of {ids.Length} electors in {sw.Elapsed.TotalSeconds:0} s");
        }
        var path = $"/ballots/{ballotId}/turnout";
        var votesLua = Path.Combine(root, "bench/Ballot.Bench.Ballots/votes.lua");
        var pingLua = Path.Combine(root, "bench/Ballot.Bench.Ballots/ping.lua");
        var rows = new List<(double P50, double P95, double Ping, double Votes, double Quiet50, double QuietCpu)>();
        for (var run = 1; run <= runs; run++)
        {
            var (api, http) = await Start(run);
            var baseUrl = http.BaseAddress!.ToString().TrimEnd('/');
            // Warm the vote path with credentials of its own (file 0 is shared by the runs' warm-ups: a repeat is a 409).
            await Wrk(["-t2", "-c64", "-d3s", "-s", votesLua, baseUrl, "--", credentialFiles[0], "2"]);
            var (quiet50, _, _, _, quietCpu) = await Time(http, path, () => false, api);
            var ping = await Wrk(["-t2", "-c64", $"-d{seconds}s", "-s", pingLua, baseUrl]);
            // The page, one request at a time, for as long as wrk casts votes.
            var voting = Wrk(["-t2", "-c64", $"-d{seconds}s", "-s", votesLua, baseUrl, "--", credentialFiles[run], "2"]);
            var (p50, p95, n, body, _) = await Time(http, path, () => voting.IsCompleted, api, untilDone: true);
            var votes = await voting;
            if (!body.Contains("Turnout")) throw new Exception("not the turnout page");
            rows.Add((p50, p95, ping, votes, quiet50, quietCpu));
            Console.WriteLine($"run {run}: turnout page n {n,4}  p50 {p50,6:0.0} ms  p95 {p95,6:0.0} ms (no votes arriving: p50 {quiet50:0.0} ms, API CPU {quietCpu:0.0} ms a request)  " +
                              $"while votes {votes:0}/s; ceiling POST /api/ping {ping:0}/s; page {body.Length / 1024.0:0} KB");
            await Stop(api, http);
        }
        Console.WriteLine($"\nmedian of {runs} runs:");
        Console.WriteLine("| turnout page p50 ms | p95 ms | p50 ms with no votes arriving | API CPU ms a request, no votes arriving | votes/s meanwhile | ping ceiling/s | votes / ceiling |");
        Console.WriteLine("|---:|---:|---:|---:|---:|---:|---:|");
        Console.WriteLine($"| {BenchKit.Median([.. rows.Select(r => r.P50)]):0.0} | {BenchKit.Median([.. rows.Select(r => r.P95)]):0.0} | " +
                          $"{BenchKit.Median([.. rows.Select(r => r.Quiet50)]):0.0} | {BenchKit.Median([.. rows.Select(r => r.QuietCpu)]):0.0} | {BenchKit.Median([.. rows.Select(r => r.Votes)]):0} | " +
                          $"{BenchKit.Median([.. rows.Select(r => r.Ping)]):0} | {BenchKit.Median([.. rows.Select(r => r.Votes / r.Ping)]):0.00} |");
    }

    private async Task Scrutineer(IMediator mediator)
    {
        var created = await mediator.Send(new CreateAccount.Command(Email, "Bench Scrutineer", Roles.Scrutineer, Actor.CommandLine));
        var view = await mediator.Send(new SetUpAccount.Query(created.SetupToken!));
        _authenticatorKey = view!.AuthenticatorKey;
        await mediator.Send(new SetUpAccount.Command(created.SetupToken!, Password, Password, Ballot.Tests.Console.Totp.Code(_authenticatorKey!)));
    }

    private async Task<(Process Api, HttpClient Http)> Start(int run)
    {
        var port = 5960 + run;
        var api = BenchKit.StartApi(apiDll, conn, port, keyFile);
        var http = new HttpClient(new HttpClientHandler { CookieContainer = new CookieContainer(), AllowAutoRedirect = false })
            { BaseAddress = new Uri($"http://127.0.0.1:{port}"), Timeout = TimeSpan.FromMinutes(2) };
        await BenchKit.Ready(http);
        // An authenticator code is good for one sign-in: a run that starts in the same 30-second step waits for the next.
        await Task.Delay(TimeSpan.FromSeconds(run == 1 ? 0 : 30 - DateTimeOffset.UtcNow.ToUnixTimeSeconds() % 30 + 1));
        await BenchKit.SignIn(http, Email, Password, _authenticatorKey);
        return (api, http);
    }

    private static async Task Stop(Process api, HttpClient http)
    {
        http.Dispose();
        api.Kill(entireProcessTree: true);
        await api.WaitForExitAsync();
    }

    /// <summary>Warms the page up, then times it one request at a time: --requests of them, or until <paramref name="done"/>.</summary>
    /// <returns>also the CPU the API process spent per request (all its threads): steadier than wall time on a shared machine.</returns>
    private async Task<(double P50, double P95, int N, string Body, double CpuMs)> Time(HttpClient http, string path, Func<bool> done, Process api, bool untilDone = false)
    {
        // Enough requests for the runtime to have compiled the page's hot paths (tiered compilation), as in a server in use.
        for (var i = 0; i < 40 && !untilDone; i++) await BenchKit.Get(http, path);
        var times = new List<double>();
        var body = "";
        api.Refresh();
        var cpu0 = api.TotalProcessorTime;
        var budget = Stopwatch.StartNew();
        while (untilDone ? !done() : times.Count < requests && (times.Count < 20 || budget.Elapsed.TotalSeconds < seconds))
        {
            var t = Stopwatch.GetTimestamp();
            body = await BenchKit.Get(http, path);
            times.Add(Stopwatch.GetElapsedTime(t).TotalMilliseconds);
        }
        api.Refresh();
        var cpu = (api.TotalProcessorTime - cpu0).TotalMilliseconds / times.Count;
        times.Sort();
        return (BenchKit.Percentile(times, 0.5), BenchKit.Percentile(times, 0.95), times.Count, body, cpu);
    }

    /// <summary>wrk's requests per second (201s only: a vote refused is not a vote).</summary>
    private static async Task<double> Wrk(string[] argv)
    {
        using var p = Process.Start(new ProcessStartInfo("wrk", argv) { RedirectStandardOutput = true })!;
        var o = await p.StandardOutput.ReadToEndAsync();
        await p.WaitForExitAsync();
        var rps = double.Parse(Regex.Match(o, @"Requests/sec:\s+([\d.]+)").Groups[1].Value);
        var total = long.Parse(Regex.Match(o, @"(\d+) requests in").Groups[1].Value);
        var bad = Regex.Match(o, @"Non-2xx or 3xx responses: (\d+)") is { Success: true } m ? long.Parse(m.Groups[1].Value) : 0;
        return total == 0 ? 0 : rps * (total - bad) / total;
    }

    private static BallotInput Input(DateTimeOffset opens, DateTimeOffset closes) => new("Bench ballot", BallotKind.Consultative, Counting.PerWorkplace, opens, closes,
        new Electorate(), [], null,
        [new QuestionInput("boycott", "Boycott?", ["Yes", "No"]), new QuestionInput("timing", "When?", ["Autumn term", "Spring term", "Not at all"])]);

    // A 2-of-3 ceremony run in this process, its key installed as the ceremony endpoints would leave it.
    /// <summary>
    /// Every elector has voted: one sealed paper each, drawn from a pool of 2,000 really sealed ones (sealing a million
    /// takes hours on two cores) under random trackers, with answers spread over the options.
    /// </summary>
    private static async Task FillPapers(Db db, long ballotId, Ballot.Core.Sealing.BallotKey key)
    {
        var qs = new List<Question> { new("boycott", "B", ["Yes", "No"]), new("timing", "T", ["Autumn term", "Spring term", "Not at all"]) };
        string[] yes = ["Yes", "No", "Yes", "spoiled"], timing = ["Autumn term", "Not at all", "Spring term", "spoiled"];
        var pool = new Ballot.Core.Ballots.Voting.SealedVote[2000];
        Parallel.For(0, pool.Length, i => pool[i] = Ballot.Core.Ballots.Voting.BallotSealer.Seal(key, ballotId, qs,
            new Dictionary<string, string?> { ["boycott"] = yes[i % 4], ["timing"] = timing[i % 4] }));
        await using var conn = await db.OpenAsync();
        await using var tx = await db.BeginWriteAsync(conn);
        await conn.ExecuteAsync("UPDATE ballot_elector SET voted = 1 WHERE ballot_id = @ballotId", new { ballotId }, tx);
        var constituencies = (await conn.QueryAsync<string>("SELECT constituency FROM ballot_elector WHERE ballot_id = @ballotId", new { ballotId }, tx)).ToList();
        var rnd = new Random(1);
        static string Tracker() => Convert.ToHexStringLower(System.Security.Cryptography.RandomNumberGenerator.GetBytes(32));
        if (conn is NpgsqlConnection pg)
        {
            await using var copy = await pg.BeginBinaryImportAsync("COPY ballot_paper (ballot_id, tracker, constituency, sealed) FROM STDIN (FORMAT BINARY)");
            foreach (var c in constituencies) await copy.WriteRowAsync(default, ballotId, Tracker(), c, pool[rnd.Next(pool.Length)].Sealed);
            await copy.CompleteAsync();
        }
        else
        {
            await using var cmd = conn.CreateCommand();
            cmd.Transaction = tx;
            cmd.CommandText = "INSERT INTO ballot_paper (ballot_id, tracker, constituency, sealed) VALUES ($b, $t, $c, $s)";
            var pb = cmd.AddParameter("$b"); var pt = cmd.AddParameter("$t"); var pc = cmd.AddParameter("$c"); var ps = cmd.AddParameter("$s");
            pb.Value = ballotId;
            foreach (var c in constituencies)
            {
                pt.Value = Tracker(); pc.Value = c; ps.Value = pool[rnd.Next(pool.Length)].Sealed;
                await cmd.ExecuteNonQueryAsync();
            }
        }
        await tx.CommitAsync();
    }
}
