using Ballot.Core.Data;
using MediatR;

namespace Ballot.Core.Leaflets;

public static class GetCampaign
{
    public sealed record Query(long Id) : IRequest<CampaignView>;

    public sealed class Handler(Db db) : IRequestHandler<Query, CampaignView>
    {
        public async Task<CampaignView> Handle(Query q, CancellationToken ct)
        {
            await using var conn = await db.OpenAsync(ct);
            return await Campaigns.ViewAsync(conn, q.Id);
        }
    }
}
