using System.Text.Json;
using Ballot.Core.Data;
using Dapper;
using MediatR;

namespace Ballot.Core.Ballots;

public static class GetAudit
{
    public sealed record Entry(long Seq, string At, string Event, string Actor, JsonElement Data, string PrevHash, string Hash);

    public sealed record Query(long Id) : IRequest<IReadOnlyList<Entry>>;

    public sealed class Handler(Db db) : IRequestHandler<Query, IReadOnlyList<Entry>>
    {
        public async Task<IReadOnlyList<Entry>> Handle(Query q, CancellationToken ct)
        {
            await using var conn = await db.OpenAsync(ct);
            await BallotRow.LoadAsync(conn, q.Id);
            return (await Audit.ReadAsync(conn, q.Id)).Select(e => new Entry(e.Seq, e.At, e.Event, e.Actor, ParseOrString(e.Data), e.PrevHash, e.Hash)).ToList();
        }

        /// <summary>An altered row may no longer hold JSON; it is shown as it is, not hidden.</summary>
        private static JsonElement ParseOrString(string data)
        {
            try { return JsonDocument.Parse(data).RootElement.Clone(); }
            catch (JsonException) { return JsonSerializer.SerializeToElement(data); }
        }
    }
}

public static class VerifyAudit
{
    public sealed record Query(long Id) : IRequest<Audit.Verification>;

    /// <summary>Links and hashes, then the anchors kept outside the chain's rows: the result's and the signed certificate's (ADR 0230).</summary>
    public sealed class Handler(Db db, ScrutineerKey key) : IRequestHandler<Query, Audit.Verification>
    {
        public async Task<Audit.Verification> Handle(Query q, CancellationToken ct)
        {
            await using var conn = await db.OpenAsync(ct);
            var ballot = await BallotRow.LoadAsync(conn, q.Id);
            return AuditAnchors.Verify(ballot, await Audit.ReadAsync(conn, q.Id), await Certificate.LoadAsync(conn, q.Id), key);
        }
    }
}
