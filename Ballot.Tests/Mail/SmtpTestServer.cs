using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using MimeKit;

namespace Ballot.Tests.Mail;

/// <summary>
/// A real SMTP server process on loopback: Debian's aiosmtpd running smtp_server.py. It logs every accepted letter's
/// Message-ID and keeps each letter as an .eml file to read back. Recipients named reject*, busy* and drop* make it
/// answer 550, 451 and close the connection.
/// </summary>
public sealed class SmtpTestServer : IAsyncDisposable
{
    private readonly Process _process;

    private SmtpTestServer(Process process, int port, string folder)
    {
        _process = process;
        Port = port;
        Folder = folder;
    }

    public int Port { get; }

    /// <summary>The one place tests point Ballot's Smtp settings at this server: loopback, plaintext.</summary>
    public IReadOnlyDictionary<string, string> Settings => new Dictionary<string, string>
    {
        ["Smtp:Host"] = "127.0.0.1",
        ["Smtp:Port"] = Port.ToString(System.Globalization.CultureInfo.InvariantCulture),
        ["Smtp:Security"] = "None",
    };

    /// <summary>The settings into a host's configuration.</summary>
    public void AddTo(IDictionary<string, string?> settings)
    {
        foreach (var (key, value) in Settings) settings[key] = value;
    }

    /// <summary>The settings as a child process's environment variables (Smtp__Host, ...).</summary>
    public IEnumerable<KeyValuePair<string, string>> Environment =>
        Settings.Select(s => KeyValuePair.Create(s.Key.Replace(":", "__", StringComparison.Ordinal), s.Value));

    public string Folder { get; }

    public static int FreePort()
    {
        using var l = new TcpListener(IPAddress.Loopback, 0);
        l.Start();
        return ((IPEndPoint)l.LocalEndpoint).Port;
    }

    public static async Task<SmtpTestServer> StartAsync(bool keepFiles = true, int busyTimes = 1, string? folder = null)
    {
        folder ??= Path.Combine(Path.GetTempPath(), "ballot-smtp", Guid.NewGuid().ToString("N")[..12]);
        Directory.CreateDirectory(folder);
        var port = FreePort();
        var psi = new ProcessStartInfo("/usr/bin/python3")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var a in new[] { Path.Combine(AppContext.BaseDirectory, "Mail", "smtp_server.py"), "--port", port.ToString(), "--dir", folder, "--busy-times", busyTimes.ToString() })
            psi.ArgumentList.Add(a);
        if (!keepFiles) psi.ArgumentList.Add("--no-files");
        var p = Process.Start(psi)!;
        var ready = p.StandardOutput.ReadLineAsync();
        if (await Task.WhenAny(ready, Task.Delay(15_000)) != ready || ready.Result != "READY")
        {
            p.Kill(true);
            throw new InvalidOperationException("The SMTP test server did not start: " + await p.StandardError.ReadToEndAsync());
        }
        _ = p.StandardError.ReadToEndAsync();
        // aiosmtpd's controller answers its own probe before READY; make sure it takes connections from us too.
        using (var c = new TcpClient()) await c.ConnectAsync(IPAddress.Loopback, port);
        return new SmtpTestServer(p, port, folder);
    }

    /// <summary>(Message-ID, recipient) for every letter the server accepted, in order.</summary>
    public IReadOnlyList<(string MessageId, string Recipient)> Accepted()
    {
        var path = Path.Combine(Folder, "accepted.log");
        if (!File.Exists(path)) return [];
        using var f = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite);
        using var r = new StreamReader(f);
        var list = new List<(string, string)>();
        while (r.ReadLine() is { } line)
        {
            var parts = line.Split('\t');
            if (parts.Length == 2) list.Add((parts[0], parts[1]));
        }
        return list;
    }

    public IReadOnlyList<MimeMessage> Messages() =>
        Directory.GetFiles(Folder, "*.eml").Order().Select(f => MimeMessage.Load(f)).ToList();

    public async Task<IReadOnlyList<MimeMessage>> WaitForMessages(int count, TimeSpan? timeout = null)
    {
        var until = DateTime.UtcNow + (timeout ?? TimeSpan.FromSeconds(30));
        while (DateTime.UtcNow < until)
        {
            if (Accepted().Count >= count) break;
            await Task.Delay(100);
        }
        await Task.Delay(100);
        return Messages();
    }

    public async ValueTask DisposeAsync()
    {
        try { _process.Kill(true); await _process.WaitForExitAsync(); } catch (InvalidOperationException) { }
        _process.Dispose();
        try { Directory.Delete(Folder, true); } catch (IOException) { }
    }
}
