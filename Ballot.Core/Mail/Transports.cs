using System.Net.Sockets;
using MailKit.Net.Smtp;
using MailKit.Security;
using MimeKit;

namespace Ballot.Core.Mail;

/// <summary>One connection's way of handing letters over: an SMTP session, or the pickup folder.</summary>
public interface ILetterTransport : IAsyncDisposable
{
    /// <summary>Throws on any failure; <see cref="Sending.LetterSession"/> sorts 4xx, 5xx and dropped connections.</summary>
    Task SendAsync(MimeMessage message, long recipientId, SendJournal journal, CancellationToken ct);

    bool IsConnected { get; }

    /// <summary>
    /// Whether this recipient's letter reached the server whole (its end-of-data dot was written) although the send
    /// then failed: such a letter counts as sent.
    /// </summary>
    bool HandedOver(long recipientId);
}

public static class LetterTransports
{
    public static async Task<ILetterTransport> OpenAsync(SmtpOptions smtp, MailOptions mail, CancellationToken ct)
    {
        if (smtp.UsesPickupFolder) return new PickupFolderTransport(mail.PickupFolder);
        var t = new SmtpTransport(smtp);
        try { await t.ConnectAsync(ct); }
        catch { await t.DisposeAsync(); throw; }
        return t;
    }
}

/// <summary>
/// Writes each letter as an .eml file named after its Message-ID (stable per recipient), through a temporary file and
/// a rename: writing the same letter twice leaves one file, so the pickup folder is exactly-once by construction.
/// A letter carries a live voting link, so the folder is 0700 and each file is created 0600; <see cref="PickupSweep"/>
/// deletes a ballot's letters once it closes (docs/decisions/0240-pickup-letters-are-private-and-swept.md).
/// </summary>
public sealed class PickupFolderTransport : ILetterTransport
{
    private const UnixFileMode OwnerOnly = UnixFileMode.UserRead | UnixFileMode.UserWrite;
    private readonly string _folder;

    public PickupFolderTransport(string folder)
    {
        _folder = Path.GetFullPath(folder);
        if (OperatingSystem.IsWindows()) Directory.CreateDirectory(_folder);
        else
        {
            Directory.CreateDirectory(_folder, OwnerOnly | UnixFileMode.UserExecute);
            // A folder made before this change (or by hand) is closed too: its letters are no one else's to read.
            File.SetUnixFileMode(_folder, OwnerOnly | UnixFileMode.UserExecute);
        }
    }

    public bool IsConnected => true;

    /// <summary>A letter file either was renamed into place (the send succeeded) or was not written.</summary>
    public bool HandedOver(long recipientId) => false;

    public async Task SendAsync(MimeMessage message, long recipientId, SendJournal journal, CancellationToken ct)
    {
        var name = FileName(message.MessageId ?? recipientId.ToString(System.Globalization.CultureInfo.InvariantCulture));
        var tmp = Path.Combine(_folder, "." + name + ".tmp");
        // What an SMTP server would get: 7-bit, lines under 998 characters (MailKit does this itself when sending).
        message.Prepare(MimeKit.EncodingConstraint.SevenBit);
        // The mode applies only to a file being created: a temporary file left by a killed run is removed first.
        File.Delete(tmp);
        var options = new FileStreamOptions
        {
            Mode = FileMode.CreateNew, Access = FileAccess.Write, Share = FileShare.None, BufferSize = 1 << 14, Options = FileOptions.Asynchronous,
        };
        if (!OperatingSystem.IsWindows()) options.UnixCreateMode = OwnerOnly;
        await using (var file = new FileStream(tmp, options))
            await message.WriteToAsync(file, ct);
        File.Move(tmp, Path.Combine(_folder, name), overwrite: true);
        journal.Accepted(recipientId);
    }

    public static string FileName(string messageId) =>
        string.Concat(messageId.Select(c => char.IsLetterOrDigit(c) || c is '.' or '-' or '_' ? c : '_')) + ".eml";

    public ValueTask DisposeAsync() => ValueTask.CompletedTask;
}

/// <summary>
/// One reused SMTP session. The socket has NoDelay set (Nagle plus delayed ACKs otherwise stall every command round
/// trip: ~22 letters/s instead of ~1,900). On a plaintext session the stream under MailKit notes in the journal the
/// moment the end-of-data dot is written, which is the moment the server may take the letter.
/// </summary>
public sealed class SmtpTransport(SmtpOptions options) : ILetterTransport
{
    private readonly SmtpClient _client = new() { Timeout = options.TimeoutMs };
    private DotWatchStream? _watch;
    private long _dataSentFor = -1;

    public bool HandedOver(long recipientId) => Interlocked.Read(ref _dataSentFor) == recipientId;

    public bool IsConnected => _client.IsConnected;

    public async Task ConnectAsync(CancellationToken ct)
    {
        var socket = new Socket(SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
        try { await socket.ConnectAsync(options.Host!, options.Port, ct); }
        catch { socket.Dispose(); throw; }
        var security = options.Security switch
        {
            SmtpSecurity.None => SecureSocketOptions.None,
            SmtpSecurity.StartTls => SecureSocketOptions.StartTls,
            SmtpSecurity.SslOnConnect => SecureSocketOptions.SslOnConnect,
            _ => SecureSocketOptions.StartTlsWhenAvailable,
        };
        _watch = new DotWatchStream(new NetworkStream(socket, ownsSocket: true));
        await _client.ConnectAsync(_watch, options.Host!, options.Port, security, ct);
        // BDAT has no end-of-data dot to watch for; DATA is what every server takes anyway.
        _client.Capabilities &= ~SmtpCapabilities.Chunking;
        if (!string.IsNullOrEmpty(options.User))
            await _client.AuthenticateAsync(options.User, options.Password ?? "", ct);
    }

    public async Task SendAsync(MimeMessage message, long recipientId, SendJournal journal, CancellationToken ct)
    {
        _watch!.OnDataEnd = () =>
        {
            journal.DataSent(recipientId);
            Interlocked.Exchange(ref _dataSentFor, recipientId);
        };
        try
        {
            await _client.SendAsync(message, ct);
        }
        finally
        {
            _watch.OnDataEnd = null;
        }
        journal.Accepted(recipientId);
    }

    public async ValueTask DisposeAsync()
    {
        try
        {
            if (_client.IsConnected)
            {
                using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(5));
                await _client.DisconnectAsync(true, cts.Token);
            }
        }
        catch (Exception e) when (e is IOException or SocketException or OperationCanceledException or SmtpProtocolException or SmtpCommandException)
        {
            // The session is being thrown away; a failed QUIT changes nothing about the letters.
        }
        _client.Dispose();
    }
}

/// <summary>Passes bytes through and calls <see cref="OnDataEnd"/> once a write completes the "CRLF.CRLF" that ends DATA.</summary>
internal sealed class DotWatchStream(Stream inner) : Stream
{
    private uint _tail; // the last four bytes written, oldest first
    public Action? OnDataEnd;

    private void Watch(ReadOnlySpan<byte> data)
    {
        var ended = false;
        foreach (var b in data)
        {
            // "\r\n.\r\n": the previous four bytes were "\r\n.\r" and this one is "\n".
            if (b == (byte)'\n' && _tail == 0x0D0A2E0D) ended = true;
            _tail = (_tail << 8) | b;
        }
        if (ended) OnDataEnd?.Invoke();
    }

    public override void Write(byte[] buffer, int offset, int count)
    {
        inner.Write(buffer, offset, count);
        Watch(buffer.AsSpan(offset, count));
    }

    public override async Task WriteAsync(byte[] buffer, int offset, int count, CancellationToken ct)
    {
        await inner.WriteAsync(buffer.AsMemory(offset, count), ct);
        Watch(buffer.AsSpan(offset, count));
    }

    public override async ValueTask WriteAsync(ReadOnlyMemory<byte> buffer, CancellationToken ct = default)
    {
        await inner.WriteAsync(buffer, ct);
        Watch(buffer.Span);
    }

    public override int Read(byte[] buffer, int offset, int count) => inner.Read(buffer, offset, count);
    public override Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken ct) => inner.ReadAsync(buffer, offset, count, ct);
    public override ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken ct = default) => inner.ReadAsync(buffer, ct);
    public override void Flush() => inner.Flush();
    public override Task FlushAsync(CancellationToken ct) => inner.FlushAsync(ct);
    public override bool CanRead => true;
    public override bool CanSeek => false;
    public override bool CanWrite => true;
    public override long Length => throw new NotSupportedException();
    public override long Position { get => throw new NotSupportedException(); set => throw new NotSupportedException(); }
    public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();
    public override void SetLength(long value) => throw new NotSupportedException();
    public override bool CanTimeout => inner.CanTimeout;
    public override int ReadTimeout { get => inner.ReadTimeout; set => inner.ReadTimeout = value; }
    public override int WriteTimeout { get => inner.WriteTimeout; set => inner.WriteTimeout = value; }

    protected override void Dispose(bool disposing)
    {
        if (disposing) inner.Dispose();
        base.Dispose(disposing);
    }
}
