using System.Data.Common;
using System.Text.Json;
using System.Text.RegularExpressions;
using Ballot.Core.Common;
using Ballot.Core.Leaflets.Composition;
using Dapper;

namespace Ballot.Core.Leaflets;

/// <summary>One audience's content in one language, as given in requests.</summary>
public sealed record ContentInput(string? Audience, string? Language, string? Headline, string? Introduction,
    IReadOnlyList<Section>? Sections, IReadOnlyList<string>? Demands, string? CallToAction);

public sealed class ContentView
{
    public string Audience { get; init; } = "";
    public string Language { get; init; } = "";
    public string Headline { get; init; } = "";
    public string Introduction { get; init; } = "";
    public IReadOnlyList<Section> Sections { get; init; } = [];
    public IReadOnlyList<string> Demands { get; init; } = [];
    public string CallToAction { get; init; } = "";
    public DateTimeOffset UpdatedAt { get; init; }
}

public sealed class CampaignView
{
    public long Id { get; init; }
    public string Name { get; init; } = "";
    public string WebAddress { get; init; } = "";
    public string Imprint { get; init; } = "";
    public string BrandColour { get; init; } = "";
    public bool HasLogo { get; init; }
    public DateTimeOffset CreatedAt { get; init; }
    public DateTimeOffset UpdatedAt { get; init; }
    public IReadOnlyList<ContentView> Content { get; init; } = [];
}

/// <summary>Rules and SQL shared by the campaign use cases.</summary>
internal static partial class Campaigns
{
    public const int MaxLogoBytes = 2 * 1024 * 1024;
    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);

    [GeneratedRegex("^[a-z]{2,3}(-[A-Za-z0-9]{2,8})*$")]
    public static partial Regex LanguageTag();

    public static void ValidateSettings(Problems p, string? name, string? webAddress, string? imprint, string? brandColour, bool partial)
    {
        if (!partial || name is not null) p.Required("name", name);
        if (!partial || webAddress is not null)
        {
            p.Required("webAddress", webAddress, 500);
            if (webAddress is not null && !(Uri.TryCreate(webAddress, UriKind.Absolute, out var u) && u.Scheme is "https" or "http"))
                p.Add("webAddress", "webAddress must be an absolute http(s) address, e.g. https://example.org/fund-our-schools.");
        }
        if (!partial || imprint is not null) p.Required("imprint", imprint, 500);
        if ((!partial || brandColour is not null) && !Colour.TryParse(brandColour, out _))
            p.Add("brandColour", "brandColour must be a colour as #rrggbb, e.g. #c8102e.");
    }

    /// <summary>The logo as PNG bytes; a problem if it is not base64 of a PNG that decodes.</summary>
    public static byte[]? ReadLogo(Problems p, string? base64)
    {
        if (base64 is null) return null;
        byte[] bytes;
        try { bytes = Convert.FromBase64String(base64); }
        catch (FormatException)
        {
            p.Add("logo", "logo must be a PNG file encoded as base64.");
            return null;
        }
        if (bytes.Length > MaxLogoBytes) { p.Add("logo", $"The logo is {bytes.Length / 1024} KB; at most {MaxLogoBytes / 1024} KB."); return null; }
        ReadOnlySpan<byte> signature = [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A];
        using var image = bytes.AsSpan().StartsWith(signature) ? SkiaSharp.SKImage.FromEncodedData(bytes) : null;
        if (image is null || image.Width == 0) { p.Add("logo", "The logo is not a readable PNG image."); return null; }
        return bytes;
    }

    public static void ValidateContent(Problems p, string prefix, ContentInput? c, bool audienceFromRoute = false)
    {
        if (c is null) { p.Add(prefix, "Content is required."); return; }
        if (!audienceFromRoute)
        {
            p.Required(prefix + "audience", c.Audience, 40);
            p.OneOf(prefix + "audience", c.Audience, Audiences.All.ToList());
        }
        if (c.Language is not null && !LanguageTag().IsMatch(c.Language))
            p.Add(prefix + "language", "language must be a language tag such as en, cy or ur.");
        Markdown(p, prefix + "headline", c.Headline, 300, true);
        Markdown(p, prefix + "introduction", c.Introduction, 5_000, true);
        var sections = c.Sections ?? [];
        if (sections.Count > 20) p.Add(prefix + "sections", "At most 20 sections.");
        for (var i = 0; i < sections.Count; i++)
        {
            Markdown(p, $"{prefix}sections[{i}].heading", sections[i]?.Heading, 300, true);
            Markdown(p, $"{prefix}sections[{i}].body", sections[i]?.Body, 20_000, true);
        }
        var demands = c.Demands ?? [];
        if (demands.Count > 20) p.Add(prefix + "demands", "At most 20 demands.");
        for (var i = 0; i < demands.Count; i++) Markdown(p, $"{prefix}demands[{i}]", demands[i], 1_000, true);
        Markdown(p, prefix + "callToAction", c.CallToAction, 5_000, true);
    }

    private static void Markdown(Problems p, string field, string? value, int max, bool required)
    {
        if (required) p.Required(field, value, max);
        if (string.IsNullOrWhiteSpace(value)) return;
        foreach (var problem in MarkdownText.Unsupported(value)) p.Add(field, problem);
    }

    public static async Task UpsertContentAsync(DbConnection conn, DbTransaction tx, long campaignId, string audience, ContentInput c, DateTimeOffset now)
    {
        var args = new
        {
            campaignId, audience, language = c.Language ?? "en", headline = c.Headline!.Trim(), introduction = c.Introduction!,
            sections = JsonSerializer.Serialize(c.Sections ?? [], Json), demands = JsonSerializer.Serialize(c.Demands ?? [], Json),
            callToAction = c.CallToAction!, now,
        };
        var updated = await conn.ExecuteAsync("""
            UPDATE campaign_content SET headline = @headline, introduction = @introduction, sections_json = @sections,
                demands_json = @demands, call_to_action = @callToAction, updated_at = @now
            WHERE campaign_id = @campaignId AND audience = @audience AND language = @language
            """, args, tx);
        if (updated == 0)
            await conn.ExecuteAsync("""
                INSERT INTO campaign_content (campaign_id, audience, language, headline, introduction, sections_json, demands_json, call_to_action, updated_at)
                VALUES (@campaignId, @audience, @language, @headline, @introduction, @sections, @demands, @callToAction, @now)
                """, args, tx);
    }

    public sealed class CampaignRow
    {
        public long Id { get; init; }
        public string Name { get; init; } = "";
        public string WebAddress { get; init; } = "";
        public string Imprint { get; init; } = "";
        public string BrandColour { get; init; } = "";
        public byte[]? Logo { get; init; }
        public DateTimeOffset CreatedAt { get; init; }
        public DateTimeOffset UpdatedAt { get; init; }

        public CampaignLook Look()
        {
            Colour.TryParse(BrandColour, out var brand);
            return new CampaignLook(Name, WebAddress, Imprint, brand, Logo);
        }
    }

    private sealed class ContentRow
    {
        public string Audience { get; init; } = "";
        public string Language { get; init; } = "";
        public string Headline { get; init; } = "";
        public string Introduction { get; init; } = "";
        public string SectionsJson { get; init; } = "[]";
        public string DemandsJson { get; init; } = "[]";
        public string CallToAction { get; init; } = "";
        public DateTimeOffset UpdatedAt { get; init; }

        public ContentView View() => new()
        {
            Audience = Audience, Language = Language, Headline = Headline, Introduction = Introduction,
            Sections = JsonSerializer.Deserialize<List<Section>>(SectionsJson, Json) ?? [],
            Demands = JsonSerializer.Deserialize<List<string>>(DemandsJson, Json) ?? [],
            CallToAction = CallToAction, UpdatedAt = UpdatedAt,
        };
    }

    public static async Task<CampaignRow> LoadAsync(DbConnection conn, long id, DbTransaction? tx = null) =>
        await conn.QuerySingleOrDefaultAsync<CampaignRow>("""
            SELECT id AS Id, name AS Name, web_address AS WebAddress, imprint AS Imprint, brand_colour AS BrandColour,
                   logo_png AS Logo, created_at AS CreatedAt, updated_at AS UpdatedAt
            FROM campaign WHERE id = @id
            """, new { id }, tx)
        ?? throw new NotFound($"No campaign with id {id}.");

    public static async Task<List<ContentView>> ContentAsync(DbConnection conn, long id, string? audience = null, string? language = null)
    {
        var rows = await conn.QueryAsync<ContentRow>("""
            SELECT audience AS Audience, language AS Language, headline AS Headline, introduction AS Introduction,
                   sections_json AS SectionsJson, demands_json AS DemandsJson, call_to_action AS CallToAction, updated_at AS UpdatedAt
            FROM campaign_content
            WHERE campaign_id = @id AND (@audience IS NULL OR audience = @audience) AND (@language IS NULL OR language = @language)
            ORDER BY audience, language
            """, new { id, audience, language });
        return rows.Select(r => r.View()).ToList();
    }

    public static async Task<CampaignView> ViewAsync(DbConnection conn, long id)
    {
        var c = await LoadAsync(conn, id);
        return new CampaignView
        {
            Id = c.Id, Name = c.Name, WebAddress = c.WebAddress, Imprint = c.Imprint, BrandColour = c.BrandColour,
            HasLogo = c.Logo is not null, CreatedAt = c.CreatedAt, UpdatedAt = c.UpdatedAt, Content = await ContentAsync(conn, id),
        };
    }

    public static void CheckAudience(string audience)
    {
        if (!Audiences.All.Contains(audience))
            throw new NotFound($"Unknown audience '{audience}'; use one of: {string.Join(", ", Audiences.All)}.");
    }

    /// <summary>The content a leaflet is rendered from, or 404 naming what is missing.</summary>
    public static async Task<AudienceContent> AudienceContentAsync(DbConnection conn, long id, string audience, string language)
    {
        CheckAudience(audience);
        var found = (await ContentAsync(conn, id, audience, language)).SingleOrDefault();
        if (found is null)
        {
            var have = (await ContentAsync(conn, id, audience)).Select(c => c.Language).ToList();
            throw new NotFound($"Campaign {id} has no content for {audience} in '{language}'" +
                               (have.Count > 0 ? $"; it has: {string.Join(", ", have)}." : "."));
        }
        return new AudienceContent(found.Headline, found.Introduction, found.Sections, found.Demands, found.CallToAction);
    }

    public static PageSize ParsePageSize(string? value) => value?.Trim().ToLowerInvariant() switch
    {
        null or "" or "a4" => PageSize.A4,
        "a5" => PageSize.A5,
        _ => throw ValidationFailed.For("pageSize", "pageSize must be a4 or a5."),
    };
}
