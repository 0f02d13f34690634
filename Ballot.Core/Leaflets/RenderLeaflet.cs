using System.Data.Common;
using Ballot.Core.Common;
using Ballot.Core.Data;
using Ballot.Core.Leaflets.Composition;
using Dapper;
using MediatR;

namespace Ballot.Core.Leaflets;

public static class RenderLeaflet
{
    /// <summary>Workplace is the school's id or its exact name.</summary>
    public sealed record Query(long CampaignId, string Audience, string? Workplace, string? Language, string? PageSize)
        : IRequest<Result>, IValidatable
    {
        public void Validate(Problems p)
        {
            p.Required("workplace", Workplace);
            if (Language is not null && !Campaigns.LanguageTag().IsMatch(Language)) p.Add("language", "language must be a language tag such as en, cy or ur.");
            if (PageSize is not null && PageSize.ToLowerInvariant() is not ("a4" or "a5")) p.Add("pageSize", "pageSize must be a4 or a5.");
        }
    }

    public sealed record Result(byte[] Pdf, string FileName, int Pages);

    public sealed class Handler(Db db) : IRequestHandler<Query, Result>
    {
        public async Task<Result> Handle(Query q, CancellationToken ct)
        {
            Campaigns.CheckAudience(q.Audience);
            var language = q.Language ?? "en";
            await using var conn = await db.OpenAsync(ct);
            var campaign = await Campaigns.LoadAsync(conn, q.CampaignId);
            var content = await Campaigns.AudienceContentAsync(conn, q.CampaignId, q.Audience, language);
            var school = await FindWorkplaceAsync(conn, q.Workplace!.Trim());
            var contact = await LeafletData.ContactForAsync(conn, school.Id, school.Region);
            var rendered = LeafletData.Render(campaign.Look(), q.Audience, language, content,
                new LeafletTarget(school.Id, school.Name, contact), Campaigns.ParsePageSize(q.PageSize));
            return new Result(rendered.Bytes, LeafletData.FileName(school.Id, school.Name, q.Audience, language), rendered.Pages);
        }

        private static async Task<LeafletData.Workplace> FindWorkplaceAsync(DbConnection conn, string workplace)
        {
            const string select = "SELECT id AS Id, name AS Name, employer AS Employer, region AS Region FROM workplace";
            if (long.TryParse(workplace, out var id))
            {
                var byId = await conn.QuerySingleOrDefaultAsync<LeafletData.Workplace>(select + " WHERE id = @id", new { id });
                if (byId is not null) return byId;
            }
            var byName = (await conn.QueryAsync<LeafletData.Workplace>(select + " WHERE lower(name) = lower(@workplace) ORDER BY id", new { workplace })).AsList();
            return byName.Count switch
            {
                0 => throw new NotFound($"No workplace with id or name '{workplace}'."),
                1 => byName[0],
                _ => throw new Conflict($"{byName.Count} workplaces are named '{workplace}' (ids {string.Join(", ", byName.Select(w => w.Id))}); give the id."),
            };
        }
    }
}

/// <summary>What rendering a leaflet needs besides the campaign: the school, its contact, the file name.</summary>
internal static class LeafletData
{
    public sealed class Workplace
    {
        public long Id { get; init; }
        public string Name { get; init; } = "";
        public string Employer { get; init; } = "";
        public string Region { get; init; } = "";
    }

    private sealed class ContactRow
    {
        public long? WorkplaceId { get; init; }
        public string? Region { get; init; }
        public string Name { get; init; } = "";
        public string? Email { get; init; }
        public string? Phone { get; init; }
        public LocalContact Contact => new(Name, Email, Phone);
    }

    private const string ContactSelect = "SELECT workplace_id AS WorkplaceId, region AS Region, name AS Name, email AS Email, phone AS Phone FROM leaflet_contact";

    /// <summary>The workplace's own contact, else its region's, else none.</summary>
    public static async Task<LocalContact?> ContactForAsync(DbConnection conn, long workplaceId, string region)
    {
        var rows = (await conn.QueryAsync<ContactRow>(ContactSelect + " WHERE workplace_id = @workplaceId OR lower(region) = lower(@region)",
            new { workplaceId, region })).AsList();
        return (rows.FirstOrDefault(r => r.WorkplaceId == workplaceId) ?? rows.FirstOrDefault())?.Contact;
    }

    /// <summary>Every contact, for a bulk render: look up with <c>For</c>.</summary>
    public static async Task<Func<long, string, LocalContact?>> AllContactsAsync(DbConnection conn)
    {
        var rows = (await conn.QueryAsync<ContactRow>(ContactSelect)).AsList();
        var byWorkplace = rows.Where(r => r.WorkplaceId is not null).ToDictionary(r => r.WorkplaceId!.Value, r => r.Contact);
        var byRegion = rows.Where(r => r.Region is not null).ToDictionary(r => r.Region!.ToLowerInvariant(), r => r.Contact);
        return (id, region) => byWorkplace.GetValueOrDefault(id) ?? byRegion.GetValueOrDefault(region.ToLowerInvariant());
    }

    /// <summary>Renders, turning content that cannot be laid out into a 400 that names the part.</summary>
    public static RenderedPdf Render(CampaignLook campaign, string audience, string language, AudienceContent content, LeafletTarget target, PageSize size)
    {
        try
        {
            return LeafletComposer.Compose(campaign, audience, language, content, target, size).Render();
        }
        catch (LayoutException e)
        {
            throw ValidationFailed.For(e.Part ?? "content", e.Message);
        }
    }

    public static string FileName(long id, string school, string audience, string language)
    {
        var slug = new string(school.ToLowerInvariant().Select(c => char.IsAsciiLetterOrDigit(c) ? c : '-').ToArray());
        while (slug.Contains("--", StringComparison.Ordinal)) slug = slug.Replace("--", "-", StringComparison.Ordinal);
        slug = slug.Trim('-');
        if (slug.Length > 60) slug = slug[..60].TrimEnd('-');
        return $"{id}-{(slug.Length > 0 ? slug + "-" : "")}{audience}-{language}.pdf";
    }
}
