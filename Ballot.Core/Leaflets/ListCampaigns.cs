using Ballot.Core.Data;
using Dapper;
using MediatR;

namespace Ballot.Core.Leaflets;

public static class ListCampaigns
{
    public sealed record Query : IRequest<IReadOnlyList<CampaignSummary>>;

    public sealed class CampaignSummary
    {
        public long Id { get; init; }
        public string Name { get; init; } = "";
        public string WebAddress { get; init; } = "";
        public DateTimeOffset UpdatedAt { get; init; }
        /// <summary>"audience/language" pairs that have content, e.g. "parents/en".</summary>
        public IReadOnlyList<string> Content { get; set; } = [];
    }

    private sealed class Pair
    {
        public long CampaignId { get; init; }
        public string Audience { get; init; } = "";
        public string Language { get; init; } = "";
    }

    public sealed class Handler(Db db) : IRequestHandler<Query, IReadOnlyList<CampaignSummary>>
    {
        public async Task<IReadOnlyList<CampaignSummary>> Handle(Query q, CancellationToken ct)
        {
            await using var conn = await db.OpenAsync(ct);
            var list = (await conn.QueryAsync<CampaignSummary>(
                "SELECT id AS Id, name AS Name, web_address AS WebAddress, updated_at AS UpdatedAt FROM campaign ORDER BY name")).AsList();
            var pairs = (await conn.QueryAsync<Pair>(
                "SELECT campaign_id AS CampaignId, audience AS Audience, language AS Language FROM campaign_content ORDER BY audience, language"))
                .ToLookup(p => p.CampaignId);
            foreach (var c in list) c.Content = pairs[c.Id].Select(p => $"{p.Audience}/{p.Language}").ToList();
            return list;
        }
    }
}
