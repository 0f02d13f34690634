using Ballot.Api.StaffConsole;
using Ballot.Core.Leaflets;
using MediatR;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Mvc;

namespace Ballot.Api.Pages.Leaflets;

/// <summary>
/// One audience's leaflet in one language: the content editor, with a preview image of the rendered page beside it
/// (the saved content, laid out as the PDF is and drawn to PNG by Core).
/// </summary>
[Authorize(Policy = ConsolePolicies.Register)]
public sealed class EditorModel(IMediator mediator) : ConsolePageModel
{
    /// <summary>Sections the form offers: those written plus this many empty ones.</summary>
    public const int SpareSections = 1;

    public CampaignView Campaign { get; private set; } = null!;
    public ContentView? Saved { get; private set; }
    public string Audience { get; private set; } = "";
    public string Language { get; private set; } = "";
    public int PreviewPage { get; private set; } = 1;
    public int Pages { get; private set; }

    /// <summary>Changes with the saved content, so the preview's address changes and the browser fetches the new image.</summary>
    public string Version => Saved is null ? "" : Convert.ToHexString(System.Security.Cryptography.SHA256.HashData(
        System.Text.Json.JsonSerializer.SerializeToUtf8Bytes(new { Campaign.UpdatedAt, Campaign.BrandColour, Campaign.Imprint, Campaign.WebAddress, Saved })))[..16];

    [BindProperty(Name = "headline")] public string? Headline { get; set; }
    [BindProperty(Name = "introduction")] public string? Introduction { get; set; }
    [BindProperty(Name = "heading")] public List<string?> Headings { get; set; } = [];
    [BindProperty(Name = "body")] public List<string?> Bodies { get; set; } = [];
    [BindProperty(Name = "demands")] public string? Demands { get; set; }
    [BindProperty(Name = "callToAction")] public string? CallToAction { get; set; }

    // "page" is Razor Pages' own route value (the page's name), so the preview's page number is "sheet".
    public async Task<IActionResult> OnGetAsync(long id, string audience, string language, int sheet = 1)
    {
        if (!Audiences.All.Contains(audience)) return NotFound();
        await Load(id, audience, language, sheet);
        if (Saved is { } s)
        {
            Headline = s.Headline;
            Introduction = s.Introduction;
            Headings = [.. s.Sections.Select(x => x.Heading)];
            Bodies = [.. s.Sections.Select(x => x.Body)];
            Demands = string.Join("\n", s.Demands);
            CallToAction = s.CallToAction;
        }
        return Page();
    }

    /// <summary>The preview: a PNG of one page, at the width the page shows it.</summary>
    public async Task<IActionResult> OnGetPreviewAsync(long id, string audience, string language, int sheet = 1)
    {
        var image = await mediator.Send(new PreviewLeaflet.Query(id, audience, language, sheet, 600), HttpContext.RequestAborted);
        Response.Headers.CacheControl = "no-store";
        return File(image.Png, "image/png");
    }

    public async Task<IActionResult> OnPostAsync(long id, string audience, string language)
    {
        var sections = Headings.Zip(Bodies.Concat(Enumerable.Repeat<string?>(null, Math.Max(0, Headings.Count - Bodies.Count))))
            .Where(s => !string.IsNullOrWhiteSpace(s.First) || !string.IsNullOrWhiteSpace(s.Second))
            .Select(s => new Section(s.First ?? "", (s.Second ?? "").Replace("\r\n", "\n"))).ToList();
        var demands = (Demands ?? "").Replace("\r\n", "\n").Split('\n').Select(d => d.Trim()).Where(d => d.Length > 0).ToList();
        var content = new ContentInput(audience, language, Headline, Introduction?.Replace("\r\n", "\n"), sections, demands, CallToAction?.Replace("\r\n", "\n"));
        var (ok, _) = await TrySend(mediator, new SetContent.Command(id, audience, language, content));
        if (ok)
        {
            Tell("Saved. The preview shows the leaflet as it now prints.");
            return Redirect($"/leaflets/{id}/content/{audience}/{language}");
        }
        await Load(id, audience, language, 1);
        return Page();
    }

    private async Task Load(long id, string audience, string language, int page)
    {
        Campaign = await mediator.Send(new GetCampaign.Query(id), HttpContext.RequestAborted);
        Audience = audience;
        Language = language;
        Saved = Campaign.Content.FirstOrDefault(c => c.Audience == audience && c.Language == language);
        if (Saved is null) return;
        // The page count comes from laying the leaflet out; a page past the end shows the last one.
        var first = await TrySend(mediator, new PreviewLeaflet.Query(id, audience, language, 1, 100));
        Pages = first.Result?.Pages ?? 0;
        PreviewPage = Math.Clamp(page, 1, Math.Max(1, Pages));
    }
}
