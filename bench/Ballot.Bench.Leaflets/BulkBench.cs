using System.Diagnostics;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json.Nodes;

/// <summary>
/// Bulk leaflets through the real processes, as an organiser would run them: the API imports a register with one
/// member per school, creates the campaign and queues the job; the worker renders the zip. The figure is the job's
/// own time (started to finished) and the worker's peak resident memory (VmHWM in /proc).
/// </summary>
public static class BulkBench
{
    public static async Task<int> Run(string[] args)
    {
        var schools = Arg(args, "--schools", 25_000);
        var runs = Arg(args, "--runs", 1);
        var root = FindRoot();
        var apiDll = Path.Combine(root, "Ballot.Api/bin/Release/net10.0/Ballot.Api.dll");
        var workerDll = Path.Combine(root, "Ballot.Worker/bin/Release/net10.0/Ballot.Worker.dll");
        if (!File.Exists(apiDll) || !File.Exists(workerDll)) { Console.Error.WriteLine("Build first: dotnet build -c Release Ballot.sln"); return 1; }
        Console.WriteLine($"schools={schools} runs={runs} cores={Environment.ProcessorCount}");
        var rates = new List<double>();
        for (var run = 1; run <= runs; run++)
        {
            var dir = Path.Combine(Path.GetTempPath(), "ballot-bench-leaflets", $"run{run}");
            if (Directory.Exists(dir)) Directory.Delete(dir, true);
            Directory.CreateDirectory(dir);
            var conn = $"Data Source={Path.Combine(dir, "ballot.db")}";
            var token = (await Exec("dotnet", [apiDll, "tokens", "create", "--role", "organiser", "--name", "Bench"], conn)).Trim().Split('\n')[^1].Trim();
            var port = 5950 + run;
            var api = Start(apiDll, conn, port);
            using var http = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{port}"), Timeout = TimeSpan.FromMinutes(10) };
            while (true)
            {
                try { if ((await http.GetAsync("/health")).IsSuccessStatusCode) break; } catch (HttpRequestException) { }
                await Task.Delay(20);
            }
            http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", token);
            var csv = new StringBuilder("membership_number,first_name,last_name,email,workplace,employer,region,category\n");
            var regions = new[] { "North West", "North East", "Yorkshire", "East Midlands", "West Midlands", "Eastern", "London", "South East", "South West", "Wales" };
            for (var i = 0; i < schools; i++)
                csv.Append($"M{i:D7},First{i},Last{i},member{i}@example.org,{(i % 3 == 0 ? "St Mary's" : "Hillside")} Primary School {i},Employer {i % 150},{regions[i % regions.Length]},teacher\n");
            await Ok(await http.PostAsync("/api/members/import", new StringContent(csv.ToString(), Encoding.UTF8, "text/csv")));
            var campaign = await Ok(await http.PostAsJsonAsync("/api/campaigns", new
            {
                name = "Fund Our Schools", webAddress = "https://example.org/fund-our-schools",
                imprint = "Published and printed by the Union, 1 Union Street, London WC1 9ZZ.", brandColour = "#c8102e",
                content = new[] { SampleCampaign.Json("parents") },
            }));
            foreach (var region in regions)
                await Ok(await http.PutAsJsonAsync("/api/campaigns/contacts", new { region, name = $"{region} organiser", email = "organiser@example.org", phone = "01234 567890" }));

            var worker = Start(workerDll, conn, 0);
            var id = (long)campaign["id"]!;
            var job = await Ok(await http.PostAsJsonAsync($"/api/campaigns/{id}/leaflets/bulk", new { audience = "parents" }));
            var location = $"/api/campaigns/{id}/leaflets/bulk/{job["id"]}";
            long peakKb = 0;
            double? cpuAtStart = null;
            var lastPrint = Stopwatch.StartNew();
            while (true)
            {
                peakKb = Math.Max(peakKb, VmHwmKb(worker.Id));
                job = await Ok(await http.GetAsync(location));
                if (cpuAtStart is null && (string?)job["status"] == "running") cpuAtStart = CpuSeconds(worker.Id);
                if ((string?)job["status"] is "done" or "failed") break;
                if (lastPrint.Elapsed.TotalSeconds >= 10) { Console.WriteLine($"  {job["done"]}/{job["total"]} ({job["percent"]}%)"); lastPrint.Restart(); }
                await Task.Delay(250);
            }
            peakKb = Math.Max(peakKb, VmHwmKb(worker.Id));
            var cpu = CpuSeconds(worker.Id) - (cpuAtStart ?? 0);
            if ((string?)job["status"] != "done") throw new Exception("job failed: " + job.ToJsonString());
            var load = File.ReadAllText("/proc/loadavg").Split(' ')[1];
            var seconds = ((DateTimeOffset)job["finishedAt"]! - (DateTimeOffset)job["startedAt"]!).TotalSeconds;
            var rate = schools / seconds;
            rates.Add(rate);
            var size = (long)job["sizeBytes"]!;
            Console.WriteLine($"run {run}: {schools} leaflets in {seconds:0.0} s = {rate:0} leaflets/s; zip {size / 1e6:0} MB ({size / 1024.0 / schools:0.0} KB per leaflet); " +
                $"worker peak memory {peakKb / 1024.0:0} MB; worker CPU {cpu:0} s = {schools / cpu:0} leaflets per CPU-second; load average (5 min) {load}");
            worker.Kill(entireProcessTree: true);
            api.Kill(entireProcessTree: true);
            await worker.WaitForExitAsync();
            await api.WaitForExitAsync();
            Directory.Delete(dir, true);
        }
        var sorted = rates.Order().ToList();
        Console.WriteLine($"median: {sorted[sorted.Count / 2]:0} leaflets/s over {runs} run(s)");
        return 0;
    }

    /// <summary>User + system CPU time of a process, from /proc/[pid]/stat (clock ticks of 1/100 s).</summary>
    private static double CpuSeconds(int pid)
    {
        var stat = File.ReadAllText($"/proc/{pid}/stat");
        var fields = stat[(stat.LastIndexOf(')') + 2)..].Split(' ');
        return (long.Parse(fields[11]) + long.Parse(fields[12])) / 100.0;
    }

    private static long VmHwmKb(int pid)
    {
        try
        {
            var line = File.ReadLines($"/proc/{pid}/status").FirstOrDefault(l => l.StartsWith("VmHWM:", StringComparison.Ordinal));
            return line is null ? 0 : long.Parse(line.Split(' ', StringSplitOptions.RemoveEmptyEntries)[1]);
        }
        catch (IOException) { return 0; }
    }

    private static async Task<JsonNode> Ok(HttpResponseMessage response)
    {
        var body = await response.Content.ReadAsStringAsync();
        if (!response.IsSuccessStatusCode) throw new Exception($"{(int)response.StatusCode} {response.RequestMessage?.RequestUri}: {body}");
        return JsonNode.Parse(body) ?? new JsonObject();
    }

    private static Process Start(string dll, string conn, int port)
    {
        var psi = new ProcessStartInfo("dotnet", [dll]) { RedirectStandardOutput = true, RedirectStandardError = true };
        psi.Environment["Database__ConnectionString"] = conn;
        psi.Environment["Ballots__CredentialKey"] = "AQIDBAUGBwgJCgsMDQ4PEBESExQVFhcYGRobHB0eHyA=";   // required on PostgreSQL; a bench-only key
        psi.Environment["Ballots__CertificationKeyFile"] = Path.Combine(Path.GetTempPath(), "ballot-bench-certification.key");   // the API requires it on PostgreSQL
        if (port > 0) psi.Environment["Urls"] = $"http://127.0.0.1:{port}";
        psi.Environment["Worker__PollSeconds"] = "1";
        psi.Environment["Logging__LogLevel__Default"] = "Warning";
        psi.Environment["Logging__LogLevel__Ballot.Core.Leaflets"] = "Information";
        var p = Process.Start(psi)!;
        p.OutputDataReceived += (_, e) => { if (e.Data?.Contains("Bulk leaflet job", StringComparison.Ordinal) == true) Console.WriteLine("  worker: " + e.Data); };
        p.ErrorDataReceived += (_, _) => { };
        p.BeginOutputReadLine();
        p.BeginErrorReadLine();
        return p;
    }

    private static async Task<string> Exec(string file, string[] argv, string conn)
    {
        var psi = new ProcessStartInfo(file, argv) { RedirectStandardOutput = true };
        psi.Environment["Database__ConnectionString"] = conn;
        psi.Environment["Ballots__CredentialKey"] = "AQIDBAUGBwgJCgsMDQ4PEBESExQVFhcYGRobHB0eHyA=";   // required on PostgreSQL; a bench-only key
        using var p = Process.Start(psi)!;
        var o = await p.StandardOutput.ReadToEndAsync();
        await p.WaitForExitAsync();
        return o;
    }

    private static int Arg(string[] args, string name, int def) { var i = Array.IndexOf(args, name); return i >= 0 ? int.Parse(args[i + 1]) : def; }

    private static string FindRoot()
    {
        var d = new DirectoryInfo(AppContext.BaseDirectory);
        while (d is not null && !File.Exists(Path.Combine(d.FullName, "Ballot.sln"))) d = d.Parent;
        return d?.FullName ?? throw new InvalidOperationException("run inside the repository");
    }
}
