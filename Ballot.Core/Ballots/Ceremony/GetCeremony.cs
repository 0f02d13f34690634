using System.Text.Json;
using Ballot.Core.Common;
using Ballot.Core.Data;
using MediatR;

namespace Ballot.Core.Ballots.Ceremony;

/// <summary>
/// A ballot's key ceremony as the trustees and the console see it: t of n, each trustee's progress, every message relayed
/// so far (trustees fetch the announcements and dealings from here) and, once complete, the key and its fingerprint.
/// </summary>
public static class GetCeremony
{
    public sealed record TrusteeView(int Index, string Role, string Name, string? Email, long? TokenId, string? TokenName,
        JsonElement? Announcement, JsonElement? Dealing, JsonElement? Confirmation)
    {
        public bool Announced => Announcement is not null;
        public bool Dealt => Dealing is not null;
        public bool Confirmed => Confirmation is not null;
    }

    /// <param name="Stage">"no-trustees", "announcing", "dealing", "confirming" or "complete".</param>
    public sealed record View(long BallotId, string Stage, int? Threshold, int? TrusteeCount, IReadOnlyList<TrusteeView> Trustees,
        string? PublicKey, JsonElement? VerificationKeys, string? Fingerprint, DateTimeOffset? CompletedAt);

    public sealed record Query(long BallotId) : IRequest<View>;

    public sealed class Handler(Db db) : IRequestHandler<Query, View>
    {
        public async Task<View> Handle(Query q, CancellationToken ct)
        {
            await using var conn = await db.OpenAsync(ct);
            _ = await BallotRow.LoadWithoutResultAsync(conn, q.BallotId);
            return ViewOf(await CeremonyRecord.LoadAsync(conn, q.BallotId));
        }
    }

    public static View ViewOf(CeremonyRecord r) => new(
        r.BallotId, r.Stage, r.Stored?.Threshold, r.Stored?.Trustees,
        [.. r.Trustees.Select(t => new TrusteeView(t.Idx, t.Role, t.Name, t.Email, t.StaffTokenId, t.TokenName,
            Json(t.Announcement), Json(t.Dealing), Json(t.Confirmation)))],
        r.Stored?.PublicKey, Json(r.Stored?.VerificationKeys), r.Stored?.Fingerprint, r.Stored?.CompletedAt);

    private static JsonElement? Json(string? stored)
    {
        if (stored is null) return null;
        using var doc = JsonDocument.Parse(stored);
        return doc.RootElement.Clone();
    }
}
