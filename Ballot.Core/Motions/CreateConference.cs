using Ballot.Core.Common;
using Ballot.Core.Data;
using Dapper;
using MediatR;

namespace Ballot.Core.Motions;

public static class CreateConference
{
    public sealed record Command(string? Name, string? Place, DateOnly? StartsOn, DateOnly? EndsOn) : IRequest<ConferenceView>, IValidatable
    {
        public void Validate(Problems p)
        {
            p.Required("name", Name).Required("place", Place);
            if (StartsOn is null) p.Add("startsOn", "startsOn is required (yyyy-mm-dd).");
            if (EndsOn is null) p.Add("endsOn", "endsOn is required (yyyy-mm-dd).");
            if (StartsOn > EndsOn) p.Add("endsOn", "endsOn cannot be before startsOn.");
        }
    }

    public sealed class Handler(Db db, TimeProvider clock) : IRequestHandler<Command, ConferenceView>
    {
        public async Task<ConferenceView> Handle(Command cmd, CancellationToken ct)
        {
            await using var conn = await db.OpenAsync(ct);
            var id = await conn.ExecuteScalarAsync<long>("""
                INSERT INTO conference (name, place, starts_on, ends_on, created_at)
                VALUES (@name, @place, @startsOn, @endsOn, @now) RETURNING id
                """, new
            {
                name = cmd.Name!.Trim(), place = cmd.Place!.Trim(), startsOn = Dates.Text(cmd.StartsOn!.Value), endsOn = Dates.Text(cmd.EndsOn!.Value),
                now = clock.GetUtcNow(),
            });
            return new ConferenceView(id, cmd.Name.Trim(), cmd.Place.Trim(), cmd.StartsOn.Value, cmd.EndsOn.Value, 0);
        }
    }
}

public static class GetConference
{
    public sealed record Query(long Id) : IRequest<ConferenceView>;

    public sealed class Handler(Db db) : IRequestHandler<Query, ConferenceView>
    {
        public async Task<ConferenceView> Handle(Query q, CancellationToken ct)
        {
            await using var conn = await db.OpenAsync(ct);
            var row = await conn.QuerySingleOrDefaultAsync<ConferenceRow>(ConferenceRow.Select + " WHERE c.id = @Id", new { q.Id });
            return row?.ToView() ?? throw new NotFound($"No conference with id {q.Id}.");
        }
    }
}

public static class ListConferences
{
    public sealed record Query : IRequest<IReadOnlyList<ConferenceView>>;

    public sealed class Handler(Db db) : IRequestHandler<Query, IReadOnlyList<ConferenceView>>
    {
        public async Task<IReadOnlyList<ConferenceView>> Handle(Query q, CancellationToken ct)
        {
            await using var conn = await db.OpenAsync(ct);
            var rows = await conn.QueryAsync<ConferenceRow>(ConferenceRow.Select + " ORDER BY c.starts_on DESC, c.id DESC");
            return rows.Select(r => r.ToView()).ToList();
        }
    }
}
