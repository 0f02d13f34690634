using Ballot.Core.Common;
using Ballot.Core.Data;
using Ballot.Core.Leaflets.Composition;
using MediatR;

namespace Ballot.Core.Leaflets;

/// <summary>
/// A page of a campaign's leaflet as a PNG, for the editor: the saved content for one audience and language, laid out
/// as the PDF is and drawn onto a raster surface (no PDF is made or rasterised). Without a school it shows a sample one.
/// </summary>
public static class PreviewLeaflet
{
    public const string SampleSchool = "Your school";

    public sealed record Query(long CampaignId, string Audience, string? Language, int Page = 1, int Width = 600) : IRequest<Result>, IValidatable
    {
        public void Validate(Problems p)
        {
            if (Language is not null && !Campaigns.LanguageTag().IsMatch(Language)) p.Add("language", "language must be a language tag such as en, cy or ur.");
            if (Page is < 1 or > 16) p.Add("page", "page must be between 1 and 16.");
            if (Width is < 100 or > 2000) p.Add("width", "width must be between 100 and 2000 pixels.");
        }
    }

    public sealed record Result(byte[] Png, int Width, int Height, int Pages);

    public sealed class Handler(Db db) : IRequestHandler<Query, Result>
    {
        public async Task<Result> Handle(Query q, CancellationToken ct)
        {
            Campaigns.CheckAudience(q.Audience);
            var language = q.Language ?? "en";
            CampaignLook look;
            AudienceContent content;
            await using (var conn = await db.OpenAsync(ct))
            {
                look = (await Campaigns.LoadAsync(conn, q.CampaignId)).Look();
                content = await Campaigns.AudienceContentAsync(conn, q.CampaignId, q.Audience, language);
            }
            var doc = LeafletComposer.Compose(look, q.Audience, language, content, new LeafletTarget(0, SampleSchool, null), PageSize.A4);
            try
            {
                var image = doc.RenderPng(q.Page, q.Width);
                return new Result(image.Png, image.Width, image.Height, image.Pages);
            }
            catch (ArgumentOutOfRangeException e) when (e.ParamName == "page")
            {
                throw new NotFound($"There is no page {q.Page}: " + e.Message[..e.Message.IndexOf(" (Parameter", StringComparison.Ordinal)]);
            }
            catch (LayoutException e)
            {
                throw ValidationFailed.For(e.Part ?? "content", e.Message);
            }
        }
    }
}
