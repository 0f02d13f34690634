using Ballot.Core.Common;
using Ballot.Core.Data;
using Dapper;
using MediatR;

namespace Ballot.Core.Leaflets;

/// <summary>The local contact printed on leaflets: for one workplace, or for every workplace of a region without its own.</summary>
public sealed class ContactView
{
    public long Id { get; init; }
    public long? WorkplaceId { get; init; }
    public string? Workplace { get; init; }
    public string? Region { get; init; }
    public string Name { get; init; } = "";
    public string? Email { get; init; }
    public string? Phone { get; init; }
    public DateTimeOffset UpdatedAt { get; init; }
}

public static class SetContact
{
    public sealed record Command(long? WorkplaceId, string? Region, string? Name, string? Email, string? Phone) : IRequest<ContactView>, IValidatable
    {
        public void Validate(Problems p)
        {
            if ((WorkplaceId is null) == string.IsNullOrWhiteSpace(Region)) p.Add("workplaceId", "Give either workplaceId or region.");
            p.MaxLength("region", Region, 200).Required("name", Name).MaxLength("phone", Phone, 40).Email("email", Email);
            if (Email is null && Phone is null) p.Add("email", "Give an email or a phone number (or both).");
        }
    }

    public sealed class Handler(Db db, TimeProvider clock) : IRequestHandler<Command, ContactView>
    {
        public async Task<ContactView> Handle(Command cmd, CancellationToken ct)
        {
            await using var conn = await db.OpenAsync(ct);
            long id;
            await using (var tx = await db.BeginWriteAsync(conn, ct))
            {
                string? region = null;
                if (cmd.WorkplaceId is { } wid)
                {
                    if (await conn.ExecuteScalarAsync<long>("SELECT COUNT(*) FROM workplace WHERE id = @wid", new { wid }, tx) == 0)
                        throw new NotFound($"No workplace with id {wid}.");
                }
                else
                {
                    region = await conn.ExecuteScalarAsync<string?>("SELECT region FROM workplace WHERE lower(region) = lower(@r) LIMIT 1", new { r = cmd.Region!.Trim() }, tx)
                             ?? throw new NotFound($"No workplace is in region '{cmd.Region}'.");
                }
                var args = new { cmd.WorkplaceId, region, name = cmd.Name!.Trim(), cmd.Email, cmd.Phone, now = clock.GetUtcNow() };
                id = await conn.ExecuteScalarAsync<long?>(
                    "SELECT id FROM leaflet_contact WHERE workplace_id = @WorkplaceId OR lower(region) = lower(@region)", args, tx) ?? 0;
                if (id == 0)
                    id = await conn.ExecuteScalarAsync<long>("""
                        INSERT INTO leaflet_contact (workplace_id, region, name, email, phone, updated_at)
                        VALUES (@WorkplaceId, @region, @name, @Email, @Phone, @now) RETURNING id
                        """, args, tx);
                else
                    await conn.ExecuteAsync("UPDATE leaflet_contact SET name = @name, email = @Email, phone = @Phone, updated_at = @now WHERE id = @id",
                        new { args.name, cmd.Email, cmd.Phone, args.now, id }, tx);
                await tx.CommitAsync(ct);
            }
            return (await ListContacts.QueryAsync(conn, id)).Single();
        }
    }
}

public static class ListContacts
{
    public sealed record Query : IRequest<IReadOnlyList<ContactView>>;

    internal static async Task<List<ContactView>> QueryAsync(System.Data.Common.DbConnection conn, long? id = null) =>
        (await conn.QueryAsync<ContactView>("""
            SELECT c.id AS Id, c.workplace_id AS WorkplaceId, w.name AS Workplace, coalesce(c.region, w.region) AS Region,
                   c.name AS Name, c.email AS Email, c.phone AS Phone, c.updated_at AS UpdatedAt
            FROM leaflet_contact c LEFT JOIN workplace w ON w.id = c.workplace_id
            WHERE @id IS NULL OR c.id = @id
            ORDER BY coalesce(c.region, w.region), c.workplace_id IS NOT NULL, w.name
            """, new { id })).AsList();

    public sealed class Handler(Db db) : IRequestHandler<Query, IReadOnlyList<ContactView>>
    {
        public async Task<IReadOnlyList<ContactView>> Handle(Query q, CancellationToken ct)
        {
            await using var conn = await db.OpenAsync(ct);
            return await QueryAsync(conn);
        }
    }
}
