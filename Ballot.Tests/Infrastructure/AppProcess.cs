using System.Diagnostics;
using Ballot.Tests.Mail;

namespace Ballot.Tests.Infrastructure;

/// <summary>
/// A real API or worker process (dotnet Ballot.Api.dll / Ballot.Worker.dll from the build output) on a loopback port,
/// its output appended to a log file. Settings are environment variables, as an operator would give them.
/// </summary>
public sealed class AppProcess : IAsyncDisposable
{
    private readonly string _dll;
    private readonly Dictionary<string, string> _env;
    private readonly string _log;
    private readonly string? _workingDirectory;
    private Process _process = null!;

    private AppProcess(string dll, Dictionary<string, string> env, string log, string? workingDirectory = null)
    {
        _dll = dll;
        _env = env;
        _log = log;
        _workingDirectory = workingDirectory;
    }

    public int Pid => _process.Id;

    /// <summary>The loopback port of an API process (0 for a worker).</summary>
    public int Port { get; private init; }
    public string Log => _log;

    /// <summary>The folder of the project's own build output (beside Ballot.Tests/bin/...), else the tests' folder.</summary>
    public static string Output(string project)
    {
        var own = AppContext.BaseDirectory.Replace($"{Path.DirectorySeparatorChar}Ballot.Tests{Path.DirectorySeparatorChar}",
            $"{Path.DirectorySeparatorChar}{project}{Path.DirectorySeparatorChar}");
        return File.Exists(Path.Combine(own, project + ".dll")) ? own : AppContext.BaseDirectory;
    }

    public static async Task<AppProcess> StartApiAsync(Dictionary<string, string> shared, int port, string log)
    {
        var env = new Dictionary<string, string>(shared) { ["Urls"] = $"http://127.0.0.1:{port}" };
        var p = new AppProcess("Ballot.Api", env, log) { Port = port };
        p.Start();
        using var http = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{port}") };
        var until = DateTime.UtcNow.AddSeconds(60);
        while (true)
        {
            try { if ((await http.GetAsync("/health")).IsSuccessStatusCode) return p; }
            catch (HttpRequestException) { }
            if (p._process.HasExited || DateTime.UtcNow > until)
                throw new InvalidOperationException($"The API on port {port} did not become healthy:\n{p.ReadLog()}");
            await Task.Delay(50);
        }
    }

    /// <summary>A worker process; relative folders in its settings are under <paramref name="workingDirectory"/> if given.</summary>
    public static AppProcess StartWorker(Dictionary<string, string> shared, string log, string? workingDirectory = null)
    {
        var p = new AppProcess("Ballot.Worker", new Dictionary<string, string>(shared) { ["Worker__DashboardUrls"] = "http://127.0.0.1:0" }, log, workingDirectory);
        p.Start();
        return p;
    }

    /// <summary>Runs the API's command line (tokens create ...) once and returns its last line of output.</summary>
    public static async Task<string> RunCliAsync(Dictionary<string, string> shared, params string[] args)
    {
        var psi = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false, WorkingDirectory = Output("Ballot.Api") };
        psi.ArgumentList.Add(Path.Combine(Output("Ballot.Api"), "Ballot.Api.dll"));
        foreach (var a in args) psi.ArgumentList.Add(a);
        foreach (var (k, v) in shared) psi.Environment[k] = v;
        using var p = Process.Start(psi)!;
        var output = await p.StandardOutput.ReadToEndAsync();
        var error = await p.StandardError.ReadToEndAsync();
        await p.WaitForExitAsync();
        if (p.ExitCode != 0) throw new InvalidOperationException($"{string.Join(' ', args)} failed: {error}{output}");
        return output.Trim().Split('\n')[^1].Trim();
    }

    private void Start()
    {
        var folder = Output(_dll);
        var psi = new ProcessStartInfo("dotnet") { WorkingDirectory = _workingDirectory ?? folder, UseShellExecute = false, RedirectStandardOutput = true, RedirectStandardError = true };
        psi.ArgumentList.Add(Path.Combine(folder, _dll + ".dll"));
        foreach (var (k, v) in _env) psi.Environment[k] = v;
        _process = Process.Start(psi)!;
        var output = File.AppendText(_log);
        _process.OutputDataReceived += (_, e) => { if (e.Data is not null) lock (output) { output.WriteLine(e.Data); output.Flush(); } };
        _process.ErrorDataReceived += (_, e) => { if (e.Data is not null) lock (output) { output.WriteLine(e.Data); output.Flush(); } };
        _process.BeginOutputReadLine();
        _process.BeginErrorReadLine();
    }

    /// <summary>SIGKILL: no shutdown, no flushing, no goodbye to the database or the SMTP server.</summary>
    public async Task KillAsync()
    {
        if (_process.HasExited) return;
        _process.Kill(entireProcessTree: true);
        await _process.WaitForExitAsync();
    }

    /// <summary>The same process started again with the same settings (a new pid).</summary>
    public void Restart()
    {
        if (!_process.HasExited) throw new InvalidOperationException("still running");
        Start();
    }

    public string ReadLog()
    {
        if (!File.Exists(_log)) return "";
        using var f = new FileStream(_log, FileMode.Open, FileAccess.Read, FileShare.ReadWrite);
        return new StreamReader(f).ReadToEnd();
    }

    public async ValueTask DisposeAsync() => await KillAsync();

    public static int FreePort() => SmtpTestServer.FreePort();

    /// <summary>What every process over <paramref name="db"/> needs. The keys only on PostgreSQL: on SQLite they are files beside the database.</summary>
    public static Dictionary<string, string> Settings(TestDatabase db)
    {
        var settings = new Dictionary<string, string>
        {
            ["Database__ConnectionString"] = db.ConnectionString,
            ["Logging__LogLevel__Default"] = "Warning",
            ["Ballots__SealingSlotsPerQuestion"] = "4",
        };
        if (TestDatabase.CredentialKey is { } credentialKey) settings["Ballots__CredentialKey"] = credentialKey;
        if (TestDatabase.CertificationKey is { } certificationKey) settings["Ballots__CertificationKey"] = certificationKey;
        return settings;
    }
}
