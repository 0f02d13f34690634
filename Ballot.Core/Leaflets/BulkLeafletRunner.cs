using System.Data.Common;
using System.Diagnostics;
using System.IO.Compression;
using System.Threading.Channels;
using Ballot.Core.Common;
using Ballot.Core.Data;
using Dapper;
using Microsoft.Extensions.Logging;

namespace Ballot.Core.Leaflets;

/// <summary>
/// The worker's bulk leaflet job (a recurring job in Ballot.Worker calls <see cref="RunDueAsync"/>): claims a pending
/// job row, renders one PDF per school on every core, writes them into one zip beside the database, and records
/// progress as it goes. Safe to run twice: a job is claimed by one runner; one whose runner died (no heartbeat for
/// <see cref="StaleAfter"/>) is claimed again and starts over, and the zip appears under its final name only when whole.
/// </summary>
public sealed class BulkLeafletRunner(Db db, TimeProvider clock, LeafletFiles files, ILogger<BulkLeafletRunner> log)
{
    public static readonly TimeSpan StaleAfter = TimeSpan.FromMinutes(5);
    private const int MaxAttempts = 3;

    private sealed class Claimed
    {
        public long Id { get; init; }
        public long CampaignId { get; init; }
        public string Audience { get; init; } = "";
        public string Language { get; init; } = "";
        public string PageSize { get; init; } = "";
        public string? Region { get; init; }
        public string? Employer { get; init; }
        public long Attempts { get; init; }
    }

    /// <summary>Runs every due job, one after the other; returns how many it ran.</summary>
    public async Task<int> RunDueAsync(CancellationToken ct)
    {
        var ran = 0;
        while (await ClaimAsync(ct) is { } job)
        {
            await RunAsync(job, ct);
            ran++;
        }
        return ran;
    }

    private async Task<Claimed?> ClaimAsync(CancellationToken ct)
    {
        await using var conn = await db.OpenAsync(ct);
        if (await JobClaims.ClaimAsync(conn, "leaflet_job", clock.GetUtcNow(), StaleAfter) is not { } id) return null;
        return await conn.QuerySingleAsync<Claimed>("""
            SELECT id AS Id, campaign_id AS CampaignId, audience AS Audience, language AS Language, page_size AS PageSize,
                   region AS Region, employer AS Employer, attempts AS Attempts
            FROM leaflet_job WHERE id = @id
            """, new { id });
    }

    private async Task RunAsync(Claimed job, CancellationToken ct)
    {
        var folder = files.Folder;
        Directory.CreateDirectory(folder);
        var final = Path.Combine(folder, LeafletFiles.ZipName(job.Id));
        var partial = final + ".part";
        var watch = Stopwatch.StartNew();
        try
        {
            long total;
            await using (var conn = await db.OpenAsync(ct))
            {
                var campaign = await Campaigns.LoadAsync(conn, job.CampaignId);
                var content = await Campaigns.AudienceContentAsync(conn, job.CampaignId, job.Audience, job.Language);
                var contacts = await LeafletData.AllContactsAsync(conn);
                var schools = (await conn.QueryAsync<LeafletData.Workplace>(
                    "SELECT id AS Id, name AS Name, employer AS Employer, region AS Region FROM workplace w WHERE " + StartBulkLeaflets.Filter + " ORDER BY id",
                    new { region = job.Region, employer = job.Employer })).AsList();
                total = schools.Count;
                await conn.ExecuteAsync("UPDATE leaflet_job SET total = @total WHERE id = @Id", new { total, job.Id });
                log.LogInformation("Bulk leaflet job {JobId}: rendering {Total} leaflets for {Audience} in {Language}", job.Id, total, job.Audience, job.Language);
                await RenderZipAsync(job, campaign.Look(), content, schools, contacts, partial, ct);
            }
            File.Move(partial, final, overwrite: true);
            await using (var conn = await db.OpenAsync(ct))
                await conn.ExecuteAsync("""
                    UPDATE leaflet_job SET status = 'done', done = @total, size_bytes = @size, file_name = @name, finished_at = @now, error = NULL
                    WHERE id = @Id
                    """, new { total, size = new FileInfo(final).Length, name = Path.GetFileName(final), now = clock.GetUtcNow(), job.Id });
            log.LogInformation("Bulk leaflet job {JobId}: {Total} leaflets in {Seconds:0.0} s ({Rate:0} per second)",
                job.Id, total, watch.Elapsed.TotalSeconds, total / Math.Max(0.001, watch.Elapsed.TotalSeconds));
        }
        catch (Exception e) when (e is ValidationFailed or NotFound)
        {
            // The content cannot be rendered (or was removed): running again would fail the same way.
            TryDelete(partial);
            var message = e is ValidationFailed v ? string.Join(" ", v.Errors.Select(kv => $"{kv.Key}: {string.Join(" ", kv.Value)}")) : e.Message;
            await using var conn = await db.OpenAsync(CancellationToken.None);
            await conn.ExecuteAsync("UPDATE leaflet_job SET status = 'failed', error = @message, finished_at = @now WHERE id = @Id",
                new { message, now = clock.GetUtcNow(), job.Id });
            log.LogWarning("Bulk leaflet job {JobId} failed: {Error}", job.Id, message);
        }
        catch (Exception e)
        {
            TryDelete(partial);
            await using var conn = await db.OpenAsync(CancellationToken.None);
            var status = job.Attempts >= MaxAttempts ? "failed" : "pending";
            await conn.ExecuteAsync("UPDATE leaflet_job SET status = @status, error = @message WHERE id = @Id",
                new { status, message = $"Attempt {job.Attempts} failed: {e.Message}", job.Id });
            throw; // Hangfire records and retries; the row is pending again for the next run.
        }
    }

    private async Task RenderZipAsync(Claimed job, CampaignLook look, AudienceContent content, List<LeafletData.Workplace> schools,
        Func<long, string, LocalContact?> contacts, string path, CancellationToken ct)
    {
        var size = Campaigns.ParsePageSize(job.PageSize);
        var channel = Channel.CreateBounded<(string Name, byte[] Pdf)>(new BoundedChannelOptions(64) { SingleReader = true });
        using var cts = CancellationTokenSource.CreateLinkedTokenSource(ct);
        var render = Task.Run(async () =>
        {
            try
            {
                await Parallel.ForEachAsync(schools, new ParallelOptions { MaxDegreeOfParallelism = Environment.ProcessorCount, CancellationToken = cts.Token },
                    async (school, token) =>
                    {
                        var pdf = LeafletData.Render(look, job.Audience, job.Language, content,
                            new LeafletTarget(school.Id, school.Name, contacts(school.Id, school.Region)), size);
                        await channel.Writer.WriteAsync((LeafletData.FileName(school.Id, school.Name, job.Audience, job.Language), pdf.Bytes), token);
                    });
                channel.Writer.Complete();
            }
            catch (Exception e)
            {
                channel.Writer.Complete(e);
            }
        }, cts.Token);

        await using (var file = new FileStream(path, FileMode.Create, FileAccess.Write, FileShare.None, 1 << 16))
        using (var zip = new ZipArchive(file, ZipArchiveMode.Create))
        {
            long done = 0;
            var lastReport = Stopwatch.StartNew();
            try
            {
                await foreach (var (name, pdf) in channel.Reader.ReadAllAsync(ct))
                {
                    // PDFs are already compressed inside; storing them keeps the zip writer off the critical path.
                    var entry = zip.CreateEntry(name, CompressionLevel.NoCompression);
                    await using (var s = entry.Open()) await s.WriteAsync(pdf, ct);
                    done++;
                    if (lastReport.ElapsedMilliseconds >= 1000)
                    {
                        await ReportAsync(job.Id, done, ct);
                        lastReport.Restart();
                    }
                }
            }
            catch
            {
                await cts.CancelAsync();
                throw;
            }
            await ReportAsync(job.Id, done, ct);
        }
        await render;
    }

    private async Task ReportAsync(long jobId, long done, CancellationToken ct)
    {
        await using var conn = await db.OpenAsync(ct);
        await conn.ExecuteAsync("UPDATE leaflet_job SET done = @done, heartbeat_at = @now WHERE id = @jobId", new { done, now = clock.GetUtcNow(), jobId });
    }

    private static void TryDelete(string path)
    {
        try { File.Delete(path); } catch (IOException) { }
    }
}
