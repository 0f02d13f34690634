using Ballot.Core.Common;
using Ballot.Core.Data;
using Dapper;
using MediatR;

namespace Ballot.Core.Leaflets;

public static class CreateCampaign
{
    /// <summary>Logo is a PNG encoded as base64. Content may be given now or later per audience.</summary>
    public sealed record Command(string? Name, string? WebAddress, string? Imprint, string? BrandColour, string? Logo,
        IReadOnlyList<ContentInput>? Content) : IRequest<CampaignView>, IValidatable
    {
        public string? CreatedBy { get; init; }

        public void Validate(Problems p)
        {
            Campaigns.ValidateSettings(p, Name, WebAddress, Imprint, BrandColour, partial: false);
            Campaigns.ReadLogo(p, Logo);
            var content = Content ?? [];
            for (var i = 0; i < content.Count; i++) Campaigns.ValidateContent(p, $"content[{i}].", content[i]);
            var duplicates = content.Where(c => c is not null).GroupBy(c => (c.Audience, c.Language ?? "en")).Where(g => g.Count() > 1).Select(g => g.Key).ToList();
            foreach (var (audience, language) in duplicates) p.Add("content", $"Content for {audience} in '{language}' is given more than once.");
        }
    }

    public sealed class Handler(Db db, TimeProvider clock) : IRequestHandler<Command, CampaignView>
    {
        public async Task<CampaignView> Handle(Command cmd, CancellationToken ct)
        {
            var now = clock.GetUtcNow();
            var logo = Campaigns.ReadLogo(new Problems(), cmd.Logo);
            await using var conn = await db.OpenAsync(ct);
            long id;
            await using (var tx = await db.BeginWriteAsync(conn, ct))
            {
                var name = cmd.Name!.Trim();
                if (await conn.ExecuteScalarAsync<long>("SELECT COUNT(*) FROM campaign WHERE lower(name) = lower(@name)", new { name }, tx) > 0)
                    throw new Conflict($"A campaign named '{name}' already exists.");
                id = await conn.ExecuteScalarAsync<long>("""
                    INSERT INTO campaign (name, web_address, imprint, brand_colour, logo_png, created_by, created_at, updated_at)
                    VALUES (@name, @WebAddress, @Imprint, @colour, @logo, @CreatedBy, @now, @now)
                    RETURNING id
                    """, new { name, cmd.WebAddress, cmd.Imprint, colour = cmd.BrandColour!.ToLowerInvariant(), logo, cmd.CreatedBy, now }, tx);
                foreach (var c in cmd.Content ?? []) await Campaigns.UpsertContentAsync(conn, tx, id, c.Audience!, c, now);
                await tx.CommitAsync(ct);
            }
            return await Campaigns.ViewAsync(conn, id);
        }
    }
}
