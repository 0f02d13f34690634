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

    public sealed class Handler(Db db) : IRequestHandler<Query, Audit.Verification>
    {
        public async Task<Audit.Verification> Handle(Query q, CancellationToken ct)
        {
            await using var conn = await db.OpenAsync(ct);
            var ballot = await BallotRow.LoadAsync(conn, q.Id);
            var check = Audit.Verify(await Audit.ReadAsync(conn, q.Id), ballot.AuditSeq);
            if (check.Intact && ballot.ResultHash is not null && BallotResult.HashOf(ballot.Result!) != ballot.ResultHash)
                return check with { Intact = false, Problem = "The stored result no longer matches the hash recorded in the chain when it was counted." };
            return check;
        }
    }
}
