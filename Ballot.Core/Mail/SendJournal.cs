using System.Globalization;
using System.Text;

namespace Ballot.Core.Mail;

/// <summary>
/// An append-only file per sender run: "D id" when a letter's end-of-data dot has been written to the server,
/// "A id" when the server accepted it, "R id" when it refused it. Each line is one unbuffered write(2), so it is in
/// the operating system's page cache before the next SMTP command, and survives the worker process being killed
/// (not a power cut: see docs/decisions/0101-exactly-once-letters.md). Sent marks reach the database in batches;
/// a restarted worker reads the dead run's journal to settle the letters it had claimed but not yet marked.
/// </summary>
public sealed class SendJournal : IDisposable
{
    private readonly FileStream? _file;
    private readonly Lock _lock = new();

    private SendJournal(FileStream? file, string path)
    {
        _file = file;
        Path = path;
    }

    public string Path { get; }

    public static SendJournal Open(string folder, string runId)
    {
        Directory.CreateDirectory(folder);
        var path = PathFor(folder, runId);
        var file = new FileStream(path, FileMode.Append, FileAccess.Write, FileShare.Read, bufferSize: 0);
        return new SendJournal(file, path);
    }

    /// <summary>A journal that records nothing (the pickup folder needs none: its files are idempotent).</summary>
    public static SendJournal None { get; } = new(null, "");

    public static string PathFor(string folder, string runId) =>
        System.IO.Path.Combine(folder, string.Concat(runId.Select(c => char.IsLetterOrDigit(c) || c is '-' or '_' ? c : '_')) + ".journal");

    public void DataSent(long recipientId) => Append('D', recipientId);
    public void Accepted(long recipientId) => Append('A', recipientId);
    public void Refused(long recipientId) => Append('R', recipientId);

    private void Append(char kind, long id)
    {
        if (_file is null) return;
        Span<byte> line = stackalloc byte[24];
        line[0] = (byte)kind;
        line[1] = (byte)' ';
        id.TryFormat(line[2..], out var n, provider: CultureInfo.InvariantCulture);
        line[2 + n] = (byte)'\n';
        lock (_lock) _file.Write(line[..(3 + n)]);
    }

    /// <summary>
    /// The letters a run handed to the server: those whose last entry is D or A. A letter whose dot was written is
    /// counted as delivered even without the reply, because the server takes a complete DATA whatever became of us.
    /// </summary>
    public static HashSet<long> Delivered(string folder, string runId)
    {
        var path = PathFor(folder, runId);
        var last = new Dictionary<long, char>();
        if (!File.Exists(path)) return [];
        foreach (var line in File.ReadLines(path, Encoding.ASCII))
        {
            if (line.Length < 3 || line[1] != ' ') continue; // a torn last line
            if (long.TryParse(line.AsSpan(2), NumberStyles.None, CultureInfo.InvariantCulture, out var id)) last[id] = line[0];
        }
        return last.Where(kv => kv.Value is 'D' or 'A').Select(kv => kv.Key).ToHashSet();
    }

    public static void Delete(string folder, string runId)
    {
        try { File.Delete(PathFor(folder, runId)); } catch (IOException) { }
    }

    public void Dispose() => _file?.Dispose();
}
