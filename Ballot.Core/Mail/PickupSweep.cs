using System.Globalization;
using Ballot.Core.Data;
using Dapper;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Ballot.Core.Mail;

/// <summary>
/// Deletes letter files from the pickup folder that nobody should still read: a ballot's voting letters and reminders
/// once the ballot is no longer open (their links are dead, but they name a voter and what they were sent), and every
/// letter older than Mail:PickupRetentionHours. A file is tied to its mailing by its name, "m{mailingId}.r{recipientId}…",
/// which is the Message-ID <see cref="MailKeys.MessageId"/> makes. Safe to run twice; run by the worker every minute.
/// </summary>
public sealed class PickupSweep(Db db, IOptions<MailOptions> options, TimeProvider clock, ILogger<PickupSweep> log)
{
    public async Task<int> RunAsync(CancellationToken ct)
    {
        var folder = Path.GetFullPath(options.Value.PickupFolder);
        if (!Directory.Exists(folder)) return 0;
        HashSet<long> closed;
        await using (var conn = await db.OpenAsync(ct))
            closed = [.. await conn.QueryAsync<long>("""
                SELECT m.id FROM mailing m JOIN ballot b ON b.id = m.source_id
                WHERE m.source = 'ballot' AND m.purpose IN ('voting-letter', 'reminder') AND b.status NOT IN ('draft', 'open')
                """)];
        var cutoff = clock.GetUtcNow().UtcDateTime - TimeSpan.FromHours(options.Value.PickupRetentionHours);
        var deleted = 0;
        foreach (var file in Directory.EnumerateFiles(folder))
        {
            var name = Path.GetFileName(file);
            if (!name.EndsWith(".eml", StringComparison.Ordinal) && !name.EndsWith(".tmp", StringComparison.Ordinal)) continue;
            if ((MailingOf(name) is { } id && closed.Contains(id)) || File.GetLastWriteTimeUtc(file) < cutoff)
            {
                File.Delete(file);
                deleted++;
            }
        }
        if (deleted > 0) log.LogInformation("Deleted {Count} letter files from the pickup folder", deleted);
        return deleted;
    }

    /// <summary>The mailing id in "m{id}.r…" (or ".m{id}.r….tmp"), or null for a file named otherwise.</summary>
    public static long? MailingOf(string fileName)
    {
        var s = fileName.AsSpan().TrimStart('.');
        if (s.Length < 2 || s[0] != 'm') return null;
        var dot = s.IndexOf('.');
        return dot > 1 && long.TryParse(s[1..dot], NumberStyles.None, CultureInfo.InvariantCulture, out var id) ? id : null;
    }
}
