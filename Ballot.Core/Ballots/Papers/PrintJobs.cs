using System.Data.Common;
using Ballot.Core.Common;
using Ballot.Core.Data;
using Dapper;
using MediatR;
using Microsoft.Extensions.Configuration;

namespace Ballot.Core.Ballots.Papers;

public sealed class PrintJobView
{
    public long Id { get; init; }
    public long BallotId { get; init; }
    /// <summary>pending, running, done or failed.</summary>
    public string Status { get; init; } = "";
    public long Papers { get; init; }
    public long Done { get; init; }
    public long Batches { get; init; }
    /// <summary>Electors sent a paper because their letter carries no link: no email at all, or only a work email.</summary>
    public long NoEmail { get; init; }
    public long WorkEmail { get; init; }
    public int Percent => Papers == 0 ? (Status == "done" ? 100 : 0) : (int)(Done * 100 / Papers);
    public string? Error { get; init; }
    public long? SizeBytes { get; init; }
    public DateTimeOffset CreatedAt { get; init; }
    public DateTimeOffset? FinishedAt { get; init; }
    /// <summary>Where to GET the zip (PDFs of 1,000 papers and manifest.csv) once the job is done.</summary>
    public string? Download => Status == "done" ? $"/api/ballots/{BallotId}/print-jobs/{Id}/zip" : null;
}

/// <summary>Where print zips are kept: Ballots:PrintFolder, else print/ beside the SQLite file, else data/print.</summary>
public static class PrintFiles
{
    public static string Folder(Db db, IConfiguration config)
    {
        var folder = config["Ballots:PrintFolder"];
        if (string.IsNullOrWhiteSpace(folder))
            folder = db.DataFolder is not null ? Path.Combine(db.DataFolder, "print") : Path.Combine("data", "print");
        return Path.GetFullPath(folder);
    }

    public static string ZipName(long ballotId, long jobId) => $"ballot-{ballotId}-voting-papers-{jobId}.zip";

    internal const string Select = """
        SELECT id AS Id, ballot_id AS BallotId, status AS Status, papers AS Papers, done AS Done, batches AS Batches, no_email AS NoEmail,
               work_email AS WorkEmail, error AS Error, size_bytes AS SizeBytes, created_at AS CreatedAt, finished_at AS FinishedAt
        FROM ballot_print_job
        """;

    internal static async Task<PrintJobView> LoadAsync(DbConnection conn, long ballotId, long jobId) =>
        await conn.QuerySingleOrDefaultAsync<PrintJobView>(Select + " WHERE id = @jobId AND ballot_id = @ballotId", new { jobId, ballotId })
        ?? throw new NotFound($"Ballot {ballotId} has no print job {jobId}.");
}

/// <summary>Asks the worker for the ballot's voting papers for print. The electorate must be frozen (the ballot opened).</summary>
public static class StartPrint
{
    public sealed record Command(long BallotId) : IRequest<PrintJobView>
    {
        public string RequestedBy { get; init; } = "";
    }

    public sealed class Handler(Db db, TimeProvider clock) : IRequestHandler<Command, PrintJobView>
    {
        public async Task<PrintJobView> Handle(Command cmd, CancellationToken ct)
        {
            var now = clock.GetUtcNow();
            await using var conn = await db.OpenAsync(ct);
            long id;
            await using (var tx = await db.BeginWriteAsync(conn, ct))
            {
                var ballot = await BallotRow.LoadLockedAsync(conn, db.Dialect, cmd.BallotId, tx);
                if (ballot.Status == "draft")
                    throw new Conflict("Open the ballot first: opening freezes the electorate the papers are printed for (voting itself starts at its opening time).");
                if (ballot.Status != "open" || now >= ballot.ClosesAt) throw new Conflict("Voting has closed: there is nothing left to print.");
                var running = await conn.ExecuteScalarAsync<long?>(
                    "SELECT id FROM ballot_print_job WHERE ballot_id = @id AND status IN ('pending', 'running') LIMIT 1", new { id = ballot.Id }, tx);
                if (running is not null) throw new Conflict($"Print job {running} for this ballot is still running; wait for it to finish.");
                id = await conn.ExecuteScalarAsync<long>("""
                    INSERT INTO ballot_print_job (ballot_id, status, requested_by, created_at) VALUES (@id, 'pending', @by, @now) RETURNING id
                    """, new { id = ballot.Id, by = cmd.RequestedBy, now }, tx);
                await tx.CommitAsync(ct);
            }
            return await PrintFiles.LoadAsync(conn, cmd.BallotId, id);
        }
    }
}

public static class GetPrintJobs
{
    public sealed record Query(long BallotId) : IRequest<IReadOnlyList<PrintJobView>>;

    public sealed class Handler(Db db) : IRequestHandler<Query, IReadOnlyList<PrintJobView>>
    {
        public async Task<IReadOnlyList<PrintJobView>> Handle(Query q, CancellationToken ct)
        {
            await using var conn = await db.OpenAsync(ct);
            await BallotRow.LoadAsync(conn, q.BallotId);
            return (await conn.QueryAsync<PrintJobView>(PrintFiles.Select + " WHERE ballot_id = @id ORDER BY id DESC", new { id = q.BallotId })).ToList();
        }
    }
}

public static class GetPrintZip
{
    public sealed record Query(long BallotId, long JobId) : IRequest<Result>;

    public sealed record Result(string Path, string FileName);

    public sealed class Handler(Db db, IConfiguration config) : IRequestHandler<Query, Result>
    {
        public async Task<Result> Handle(Query q, CancellationToken ct)
        {
            await using var conn = await db.OpenAsync(ct);
            var job = await PrintFiles.LoadAsync(conn, q.BallotId, q.JobId);
            if (job.Status != "done") throw new Conflict($"Print job {job.Id} is {job.Status}; its files are ready when it is done.");
            var name = PrintFiles.ZipName(q.BallotId, q.JobId);
            var path = Path.Combine(PrintFiles.Folder(db, config), name);
            if (!File.Exists(path)) throw new NotFound($"Print job {job.Id}'s zip is no longer on disk; start another print run.");
            return new Result(path, name);
        }
    }
}
