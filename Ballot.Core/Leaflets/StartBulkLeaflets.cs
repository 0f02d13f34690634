using Ballot.Core.Common;
using Ballot.Core.Data;
using Dapper;
using MediatR;

namespace Ballot.Core.Leaflets;

public static class StartBulkLeaflets
{
    /// <summary>One leaflet per school matching the filter (region and/or employer; none means every school).</summary>
    public sealed record Command(long CampaignId, string? Audience, string? Language, string? PageSize, string? Region, string? Employer)
        : IRequest<BulkJobView>, IValidatable
    {
        public string? RequestedBy { get; init; }

        public void Validate(Problems p)
        {
            p.Required("audience", Audience, 40).OneOf("audience", Audience, Audiences.All);
            if (Language is not null && !Campaigns.LanguageTag().IsMatch(Language)) p.Add("language", "language must be a language tag such as en, cy or ur.");
            if (PageSize is not null && PageSize.ToLowerInvariant() is not ("a4" or "a5")) p.Add("pageSize", "pageSize must be a4 or a5.");
            p.MaxLength("region", Region, 200).MaxLength("employer", Employer, 200);
        }
    }

    public sealed class Handler(Db db, TimeProvider clock) : IRequestHandler<Command, BulkJobView>
    {
        public async Task<BulkJobView> Handle(Command cmd, CancellationToken ct)
        {
            var language = cmd.Language ?? "en";
            var size = Campaigns.ParsePageSize(cmd.PageSize).ToString().ToLowerInvariant();
            await using var conn = await db.OpenAsync(ct);
            await Campaigns.LoadAsync(conn, cmd.CampaignId);
            await Campaigns.AudienceContentAsync(conn, cmd.CampaignId, cmd.Audience!, language);
            var args = new
            {
                cmd.CampaignId, cmd.Audience, language, size, region = Blank(cmd.Region), employer = Blank(cmd.Employer),
                cmd.RequestedBy, now = clock.GetUtcNow(),
            };
            var schools = await conn.ExecuteScalarAsync<long>("SELECT COUNT(*) FROM workplace w WHERE " + Filter, args);
            if (schools == 0)
                throw ValidationFailed.For(args.region is null ? "employer" : "region", "No workplace matches this region and employer.");
            long id;
            await using (var tx = await db.BeginWriteAsync(conn, ct))
            {
                id = await conn.ExecuteScalarAsync<long>("""
                    INSERT INTO leaflet_job (campaign_id, audience, language, page_size, region, employer, status, total, requested_by, created_at)
                    VALUES (@CampaignId, @Audience, @language, @size, @region, @employer, 'pending', 0, @RequestedBy, @now)
                    RETURNING id
                    """, args, tx);
                await tx.CommitAsync(ct);
            }
            return await BulkJobs.LoadAsync(conn, cmd.CampaignId, id);
        }

        private static string? Blank(string? s) => string.IsNullOrWhiteSpace(s) ? null : s.Trim();
    }

    /// <summary>The workplaces a job covers (parameters @region and @employer; null means any).</summary>
    internal const string Filter = "(@region IS NULL OR lower(w.region) = lower(@region)) AND (@employer IS NULL OR lower(w.employer) = lower(@employer))";
}

public static class GetBulkJob
{
    public sealed record Query(long CampaignId, long JobId) : IRequest<BulkJobView>;

    public sealed class Handler(Db db) : IRequestHandler<Query, BulkJobView>
    {
        public async Task<BulkJobView> Handle(Query q, CancellationToken ct)
        {
            await using var conn = await db.OpenAsync(ct);
            return await BulkJobs.LoadAsync(conn, q.CampaignId, q.JobId);
        }
    }
}

public static class GetBulkZip
{
    public sealed record Query(long CampaignId, long JobId) : IRequest<Result>;

    public sealed record Result(string Path, string FileName);

    public sealed class Handler(Db db, LeafletFiles files) : IRequestHandler<Query, Result>
    {
        public async Task<Result> Handle(Query q, CancellationToken ct)
        {
            await using var conn = await db.OpenAsync(ct);
            var job = await BulkJobs.LoadAsync(conn, q.CampaignId, q.JobId);
            if (job.Status != "done")
                throw new Conflict(job.Status == "failed"
                    ? $"Job {job.Id} failed: {job.Error}"
                    : $"Job {job.Id} is {job.Status} ({job.Done} of {job.Total}); the zip is ready when its status is done.");
            var path = Path.Combine(files.Folder, LeafletFiles.ZipName(job.Id));
            if (!File.Exists(path)) throw new NotFound($"The zip of job {job.Id} is no longer on the server; start the job again.");
            return new Result(path, $"leaflets-{job.Audience}-{job.Language}-job{job.Id}.zip");
        }
    }
}

public static class ListBulkJobs
{
    /// <summary>A campaign's bulk jobs, newest first.</summary>
    public sealed record Query(long CampaignId, int Limit = 20) : IRequest<IReadOnlyList<BulkJobView>>;

    public sealed class Handler(Db db) : IRequestHandler<Query, IReadOnlyList<BulkJobView>>
    {
        public async Task<IReadOnlyList<BulkJobView>> Handle(Query q, CancellationToken ct)
        {
            await using var conn = await db.OpenAsync(ct);
            await Campaigns.LoadAsync(conn, q.CampaignId);
            return (await conn.QueryAsync<BulkJobView>(BulkJobs.Select + " WHERE campaign_id = @CampaignId ORDER BY id DESC LIMIT @Limit", q)).AsList();
        }
    }
}
