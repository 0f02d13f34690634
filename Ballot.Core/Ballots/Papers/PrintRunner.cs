using System.Data.Common;
using System.Diagnostics;
using System.Globalization;
using System.IO.Compression;
using System.Security.Cryptography;
using System.Threading.Channels;
using Ballot.Core.Common;
using Ballot.Core.Data;
using Ballot.Core.Leaflets.Composition;
using Ballot.Core.Mail;
using Dapper;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Ballot.Core.Ballots.Papers;

/// <summary>
/// The worker's print job (a recurring job in Ballot.Worker calls <see cref="RunDueAsync"/>): claims a pending print run,
/// numbers the ballot's voting papers in postcode order (once: a second run prints the same serials), renders them as
/// A4 PDFs of <see cref="BatchSize"/> papers on every core, and writes them with a CSV manifest into one zip beside the
/// database, recording progress and an audit entry per batch. Safe to run twice, like the bulk leaflets (ADR 0302).
/// </summary>
public sealed class PrintRunner(Db db, TimeProvider clock, IConfiguration config, Credentials credentials, IOptions<MailOptions> mail,
    ILogger<PrintRunner> log)
{
    public const int BatchSize = 1000;
    public static readonly TimeSpan StaleAfter = TimeSpan.FromMinutes(5);
    private const int MaxAttempts = 3;

    private sealed class Claimed
    {
        public long Id { get; init; }
        public long BallotId { get; init; }
        public long Attempts { get; init; }
        public string? RequestedBy { get; init; }
    }

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
        if (await JobClaims.ClaimAsync(conn, "ballot_print_job", clock.GetUtcNow(), StaleAfter) is not { } id) return null;
        return await conn.QuerySingleAsync<Claimed>(
            "SELECT id AS Id, ballot_id AS BallotId, attempts AS Attempts, requested_by AS RequestedBy FROM ballot_print_job WHERE id = @id", new { id });
    }

    private async Task RunAsync(Claimed job, CancellationToken ct)
    {
        var folder = PrintFiles.Folder(db, config);
        Directory.CreateDirectory(folder);
        var final = Path.Combine(folder, PrintFiles.ZipName(job.BallotId, job.Id));
        var partial = final + ".part";
        var watch = Stopwatch.StartNew();
        var actor = string.IsNullOrEmpty(job.RequestedBy) ? "worker" : job.RequestedBy;
        try
        {
            BallotRow ballot;
            List<PrintPaper> papers;
            long noEmail, workEmail;
            await using (var conn = await db.OpenAsync(ct))
            {
                ballot = await BallotRow.LoadAsync(conn, job.BallotId);
                papers = await PaperRun.IssueAsync(db, conn, ballot, credentials, mail.Value.PublicBaseUrl, ct);
                var reasons = (await conn.QueryAsync<(string Reason, long N)>(
                    "SELECT reason, COUNT(*) FROM ballot_paper_only WHERE ballot_id = @id GROUP BY reason", new { id = ballot.Id })).ToDictionary(x => x.Reason, x => x.N);
                (noEmail, workEmail) = (reasons.GetValueOrDefault("no-email"), reasons.GetValueOrDefault("work-email"));
                await conn.ExecuteAsync("UPDATE ballot_print_job SET papers = @n, batches = @b, no_email = @noEmail, work_email = @workEmail WHERE id = @Id",
                    new { n = papers.Count, b = (papers.Count + BatchSize - 1) / BatchSize, noEmail, workEmail, job.Id });
            }
            if (papers.Count == 0) throw new Conflict("No elector of this ballot is sent a voting paper (an electronic ballot where every elector has a personal email).");
            log.LogInformation("Print job {JobId}: {Papers} voting papers of ballot {BallotId}", job.Id, papers.Count, job.BallotId);
            PaperSheet sheet;
            await using (var conn = await db.OpenAsync(ct))
            {
                var view = await ballot.ToViewAsync(conn);
                sheet = new PaperSheet(VotingPaper.ForBallot(view, view.RuleSet), mail.Value.PublicBaseUrl.TrimEnd('/') + "/vote");
            }
            await RenderZipAsync(job, actor, sheet, papers, partial, ct);
            File.Move(partial, final, overwrite: true);
            await using (var conn = await db.OpenAsync(ct))
            await using (var tx = await db.BeginWriteAsync(conn, ct))
            {
                var size = new FileInfo(final).Length;
                await conn.ExecuteAsync("""
                    UPDATE ballot_print_job SET status = 'done', done = papers, size_bytes = @size, file_name = @name, finished_at = @now, error = NULL
                    WHERE id = @Id
                    """, new { size, name = Path.GetFileName(final), now = clock.GetUtcNow(), job.Id }, tx);
                await Audit.AppendAsync(conn, tx, job.BallotId, "voting-papers-printed", actor,
                    new { job = job.Id, papers = papers.Count, batches = (papers.Count + BatchSize - 1) / BatchSize, paperOnlyNoEmail = noEmail,
                          paperOnlyWorkEmail = workEmail, file = Path.GetFileName(final), bytes = size }, clock.GetUtcNow());
                await tx.CommitAsync(ct);
            }
            log.LogInformation("Print job {JobId}: {Papers} papers in {Seconds:0.0} s ({Rate:0} pages per second)",
                job.Id, papers.Count, watch.Elapsed.TotalSeconds, papers.Count / Math.Max(0.001, watch.Elapsed.TotalSeconds));
        }
        catch (Exception e) when (e is ValidationFailed or NotFound or Conflict or LayoutException)
        {
            // The paper cannot be printed as it stands: running again would fail the same way.
            TryDelete(partial);
            await using var conn = await db.OpenAsync(CancellationToken.None);
            await conn.ExecuteAsync("UPDATE ballot_print_job SET status = 'failed', error = @message, finished_at = @now WHERE id = @Id",
                new { message = e.Message, now = clock.GetUtcNow(), job.Id });
            log.LogWarning("Print job {JobId} failed: {Error}", job.Id, e.Message);
        }
        catch (Exception e)
        {
            TryDelete(partial);
            await using var conn = await db.OpenAsync(CancellationToken.None);
            var status = job.Attempts >= MaxAttempts ? "failed" : "pending";
            await conn.ExecuteAsync("UPDATE ballot_print_job SET status = @status, error = @message WHERE id = @Id",
                new { status, message = $"Attempt {job.Attempts} failed: {e.Message}", job.Id });
            throw;
        }
    }

    public static string BatchFileName(IReadOnlyList<PrintPaper> batch) =>
        $"voting-papers-{PaperCodes.SerialText(batch[0].Serial)}-{PaperCodes.SerialText(batch[^1].Serial)}.pdf";

    private async Task RenderZipAsync(Claimed job, string actor, PaperSheet sheet, List<PrintPaper> papers, string path, CancellationToken ct)
    {
        var batches = papers.Chunk(BatchSize).ToList();
        var channel = Channel.CreateBounded<(int Index, byte[] Pdf)>(new BoundedChannelOptions(Environment.ProcessorCount * 2) { SingleReader = true });
        using var cts = CancellationTokenSource.CreateLinkedTokenSource(ct);
        var render = Task.Run(async () =>
        {
            try
            {
                await Parallel.ForEachAsync(Enumerable.Range(0, batches.Count),
                    new ParallelOptions { MaxDegreeOfParallelism = Environment.ProcessorCount, CancellationToken = cts.Token },
                    async (i, token) => await channel.Writer.WriteAsync((i, VotingPaperPrint.RenderBatch(sheet, batches[i]).Bytes), token));
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
            try
            {
                await WriteManifestAsync(zip, batches, ct);
                long done = 0;
                var lastReport = Stopwatch.StartNew();
                await foreach (var (i, pdf) in channel.Reader.ReadAllAsync(ct))
                {
                    var name = BatchFileName(batches[i]);
                    var entry = zip.CreateEntry(name, CompressionLevel.NoCompression);
                    await using (var s = entry.Open()) await s.WriteAsync(pdf, ct);
                    done += batches[i].Length;
                    await BatchPrintedAsync(job, actor, i + 1, batches[i], name, pdf, done, ct);
                }
            }
            catch
            {
                await cts.CancelAsync();
                throw;
            }
        }
        await render;
    }

    /// <summary>The print house's list: one row per paper in serial order, with the file and page it is on.</summary>
    private static async Task WriteManifestAsync(ZipArchive zip, List<PrintPaper[]> batches, CancellationToken ct)
    {
        var entry = zip.CreateEntry("manifest.csv", CompressionLevel.Fastest);
        await using var s = entry.Open();
        await using var writer = new StreamWriter(s, new System.Text.UTF8Encoding(false));
        await writer.WriteAsync("serial,name,address_line1,address_line2,address_line3,town,postcode,file,page\r\n");
        var line = new System.Text.StringBuilder();
        foreach (var batch in batches)
        {
            var name = BatchFileName(batch);
            for (var i = 0; i < batch.Length; i++)
            {
                var p = batch[i];
                line.Clear().Append(PaperCodes.SerialText(p.Serial)).Append(',').Append(Csv(p.Name));
                for (var l = 0; l < 4; l++) line.Append(',').Append(Csv(l < p.Address.Count ? p.Address[l] : ""));
                line.Append(',').Append(Csv(p.Postcode)).Append(',').Append(name).Append(',').Append((i + 1).ToString(CultureInfo.InvariantCulture)).Append("\r\n");
                await writer.WriteAsync(line, ct);
            }
        }
    }

    /// <summary>RFC 4180 quoting; a field a spreadsheet would run as a formula (=, +, -, @) gets a leading apostrophe.</summary>
    internal static string Csv(string field)
    {
        if (field.Length > 0 && field[0] is '=' or '+' or '-' or '@' or '\t' or '\r') field = "'" + field;
        return field.AsSpan().IndexOfAny(",\"\r\n") < 0 ? field : "\"" + field.Replace("\"", "\"\"") + "\"";
    }

    private async Task BatchPrintedAsync(Claimed job, string actor, int number, PrintPaper[] batch, string name, byte[] pdf, long done, CancellationToken ct)
    {
        var now = clock.GetUtcNow();
        await using var conn = await db.OpenAsync(ct);
        await using var tx = await db.BeginWriteAsync(conn, ct);
        await conn.ExecuteAsync("UPDATE ballot_print_job SET done = @done, heartbeat_at = @now WHERE id = @Id", new { done, now, job.Id }, tx);
        await Audit.AppendAsync(conn, tx, job.BallotId, "voting-paper-batch-printed", actor, new
        {
            job = job.Id, batch = number, file = name, firstSerial = PaperCodes.SerialText(batch[0].Serial), lastSerial = PaperCodes.SerialText(batch[^1].Serial),
            papers = batch.Length, sha256 = Convert.ToHexStringLower(SHA256.HashData(pdf)),
        }, now);
        await tx.CommitAsync(ct);
    }

    private static void TryDelete(string path)
    {
        try { File.Delete(path); } catch (IOException) { }
    }
}
