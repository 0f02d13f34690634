using System.Data.Common;
using Ballot.Core.Data;
using Dapper;
using Microsoft.Extensions.Options;

namespace Ballot.Core.Leaflets;

public sealed class BulkJobView
{
    public long Id { get; init; }
    public long CampaignId { get; init; }
    public string Audience { get; init; } = "";
    public string Language { get; init; } = "";
    public string PageSize { get; init; } = "";
    public string? Region { get; init; }
    public string? Employer { get; init; }
    /// <summary>pending, running, done or failed.</summary>
    public string Status { get; init; } = "";
    public long Total { get; init; }
    public long Done { get; init; }
    public int Percent => Total == 0 ? (Status == "done" ? 100 : 0) : (int)(Done * 100 / Total);
    public string? Error { get; init; }
    public long? SizeBytes { get; init; }
    public DateTimeOffset CreatedAt { get; init; }
    public DateTimeOffset? StartedAt { get; init; }
    public DateTimeOffset? FinishedAt { get; init; }
    /// <summary>Where to GET the zip once the job is done.</summary>
    public string? Download => Status == "done" ? $"/api/campaigns/{CampaignId}/leaflets/bulk/{Id}/zip" : null;
}

/// <summary>Where bulk zips are kept: Leaflets:OutputFolder, else leaflets/ beside the SQLite file, else data/leaflets.</summary>
public sealed class LeafletFiles(Db db, IOptions<LeafletOptions> options)
{
    public string Folder
    {
        get
        {
            var folder = options.Value.OutputFolder;
            if (string.IsNullOrWhiteSpace(folder))
                folder = db.DataFolder is not null ? Path.Combine(db.DataFolder, "leaflets") : Path.Combine("data", "leaflets");
            return Path.GetFullPath(folder);
        }
    }

    public static string ZipName(long jobId) => $"leaflets-job-{jobId}.zip";
}

internal static class BulkJobs
{
    public const string Select = """
        SELECT id AS Id, campaign_id AS CampaignId, audience AS Audience, language AS Language, page_size AS PageSize,
               region AS Region, employer AS Employer, status AS Status, total AS Total, done AS Done, error AS Error,
               size_bytes AS SizeBytes, created_at AS CreatedAt, started_at AS StartedAt, finished_at AS FinishedAt
        FROM leaflet_job
        """;

    public static async Task<BulkJobView> LoadAsync(DbConnection conn, long campaignId, long jobId) =>
        await conn.QuerySingleOrDefaultAsync<BulkJobView>(Select + " WHERE id = @jobId AND campaign_id = @campaignId", new { jobId, campaignId })
        ?? throw new Common.NotFound($"Campaign {campaignId} has no bulk leaflet job {jobId}.");
}
