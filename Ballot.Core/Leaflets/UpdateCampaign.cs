using Ballot.Core.Common;
using Ballot.Core.Data;
using Dapper;
using MediatR;

namespace Ballot.Core.Leaflets;

public static class UpdateCampaign
{
    /// <summary>Only the fields given change (PATCH). RemoveLogo drops the logo.</summary>
    public sealed record Command(long Id, string? Name, string? WebAddress, string? Imprint, string? BrandColour, string? Logo, bool RemoveLogo)
        : IRequest<CampaignView>, IValidatable
    {
        public void Validate(Problems p)
        {
            if (Name is null && WebAddress is null && Imprint is null && BrandColour is null && Logo is null && !RemoveLogo)
                p.Add("body", "Give at least one of name, webAddress, imprint, brandColour, logo, removeLogo.");
            Campaigns.ValidateSettings(p, Name, WebAddress, Imprint, BrandColour, partial: true);
            Campaigns.ReadLogo(p, Logo);
            if (Logo is not null && RemoveLogo) p.Add("removeLogo", "Give a logo or removeLogo, not both.");
        }
    }

    public sealed class Handler(Db db, TimeProvider clock) : IRequestHandler<Command, CampaignView>
    {
        public async Task<CampaignView> Handle(Command cmd, CancellationToken ct)
        {
            var logo = Campaigns.ReadLogo(new Problems(), cmd.Logo);
            await using var conn = await db.OpenAsync(ct);
            await using (var tx = await db.BeginWriteAsync(conn, ct))
            {
                await Campaigns.LoadAsync(conn, cmd.Id, tx);
                var name = cmd.Name?.Trim();
                if (name is not null && await conn.ExecuteScalarAsync<long>(
                        "SELECT COUNT(*) FROM campaign WHERE lower(name) = lower(@name) AND id <> @Id", new { name, cmd.Id }, tx) > 0)
                    throw new Conflict($"A campaign named '{name}' already exists.");
                await conn.ExecuteAsync("""
                    UPDATE campaign SET
                        name = coalesce(@name, name),
                        web_address = coalesce(@WebAddress, web_address),
                        imprint = coalesce(@Imprint, imprint),
                        brand_colour = coalesce(@colour, brand_colour),
                        logo_png = CASE WHEN @RemoveLogo THEN NULL ELSE coalesce(@logo, logo_png) END,
                        updated_at = @now
                    WHERE id = @Id
                    """, new { name, cmd.WebAddress, cmd.Imprint, colour = cmd.BrandColour?.ToLowerInvariant(), logo, cmd.RemoveLogo, now = clock.GetUtcNow(), cmd.Id }, tx);
                await tx.CommitAsync(ct);
            }
            return await Campaigns.ViewAsync(conn, cmd.Id);
        }
    }
}
