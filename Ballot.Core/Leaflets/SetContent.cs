using Ballot.Core.Common;
using Ballot.Core.Data;
using MediatR;

namespace Ballot.Core.Leaflets;

public static class SetContent
{
    /// <summary>Creates or replaces one audience's content in one language.</summary>
    public sealed record Command(long CampaignId, string Audience, string Language, ContentInput Content) : IRequest<CampaignView>, IValidatable
    {
        public void Validate(Problems p)
        {
            if (!Campaigns.LanguageTag().IsMatch(Language)) p.Add("language", "language must be a language tag such as en, cy or ur.");
            Campaigns.ValidateContent(p, "", Content, audienceFromRoute: true);
        }
    }

    public sealed class Handler(Db db, TimeProvider clock) : IRequestHandler<Command, CampaignView>
    {
        public async Task<CampaignView> Handle(Command cmd, CancellationToken ct)
        {
            Campaigns.CheckAudience(cmd.Audience);
            await using var conn = await db.OpenAsync(ct);
            await using (var tx = await db.BeginWriteAsync(conn, ct))
            {
                await Campaigns.LoadAsync(conn, cmd.CampaignId, tx);
                await Campaigns.UpsertContentAsync(conn, tx, cmd.CampaignId, cmd.Audience, cmd.Content with { Language = cmd.Language }, clock.GetUtcNow());
                await Dapper.SqlMapper.ExecuteAsync(conn, "UPDATE campaign SET updated_at = @now WHERE id = @id", new { now = clock.GetUtcNow(), id = cmd.CampaignId }, tx);
                await tx.CommitAsync(ct);
            }
            return await Campaigns.ViewAsync(conn, cmd.CampaignId);
        }
    }
}
