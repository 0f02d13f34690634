using System.Data.Common;
using System.Text.Json;
using Ballot.Core.Common;
using Ballot.Core.Sealing;
using Dapper;

namespace Ballot.Core.Ballots.Ceremony;

/// <summary>A ballot's key ceremony as stored: t of n and the joint key (<c>ballot_ceremony</c>), one row per trustee (<c>ballot_trustee</c>).</summary>
public sealed class CeremonyRecord
{
    public sealed class Settings
    {
        public int Threshold { get; init; }
        public int Trustees { get; init; }
        public string? PublicKey { get; init; }
        public string? VerificationKeys { get; init; }
        public string? Fingerprint { get; init; }
        public DateTimeOffset? CompletedAt { get; init; }
    }

    public sealed class TrusteeRow
    {
        public int Idx { get; init; }
        public string Role { get; init; } = "";
        public string Name { get; init; } = "";
        public string? Email { get; init; }
        public long? StaffTokenId { get; init; }
        public string? TokenName { get; init; }
        public string? Announcement { get; init; }
        public string? Dealing { get; init; }
        public string? Confirmation { get; init; }
    }

    private CeremonyRecord(long ballotId, Settings? settings, IReadOnlyList<TrusteeRow> trustees)
    {
        BallotId = ballotId;
        Stored = settings;
        Trustees = trustees;
    }

    public long BallotId { get; }
    public Settings? Stored { get; }
    public IReadOnlyList<TrusteeRow> Trustees { get; }

    public bool Named => Stored is not null && Trustees.Count > 0;
    public bool Complete => Stored?.CompletedAt is not null;
    public bool Started => Trustees.Any(t => t.Announcement is not null);

    public CeremonySettings CeremonySettings =>
        new(BallotId, Stored?.Threshold ?? throw new Conflict(NotNamed), Stored.Trustees);

    public const string NotNamed = "No trustees are named for this ballot yet: the executive names them on the draft.";

    /// <summary>"no-trustees", then the round the ceremony waits on ("announcing", "dealing", "confirming"), then "complete".</summary>
    public string Stage =>
        !Named ? "no-trustees"
        : Complete ? "complete"
        : Trustees.Any(t => t.Announcement is null) ? "announcing"
        : Trustees.Any(t => t.Dealing is null) ? "dealing"
        : "confirming";

    /// <summary>The trustees who have not yet sent this round's message, as "trustee 2 (Ann Other)".</summary>
    public string Waiting(Func<TrusteeRow, string?> round) =>
        string.Join(", ", Trustees.Where(t => round(t) is null).Select(t => $"trustee {t.Idx} ({t.Name})"));

    public static async Task<CeremonyRecord> LoadAsync(DbConnection conn, long ballotId, DbTransaction? tx = null)
    {
        var settings = await conn.QuerySingleOrDefaultAsync<Settings>("""
            SELECT threshold, trustees, public_key, verification_keys, fingerprint, completed_at FROM ballot_ceremony WHERE ballot_id = @ballotId
            """, new { ballotId }, tx);
        var trustees = (await conn.QueryAsync<TrusteeRow>("""
            SELECT t.idx, t.role, t.name, t.email, t.staff_token_id, s.name AS token_name, t.announcement, t.dealing, t.confirmation
            FROM ballot_trustee t LEFT JOIN staff_token s ON s.id = t.staff_token_id
            WHERE t.ballot_id = @ballotId ORDER BY t.idx
            """, new { ballotId }, tx)).ToList();
        return new CeremonyRecord(ballotId, settings, trustees);
    }

    /// <summary>The ballot's joint key once its ceremony is complete, else null.</summary>
    public static async Task<JointKey?> KeyAsync(DbConnection conn, long ballotId, DbTransaction? tx = null)
    {
        var s = await conn.QuerySingleOrDefaultAsync<Settings>("""
            SELECT threshold, trustees, public_key, verification_keys, fingerprint, completed_at FROM ballot_ceremony WHERE ballot_id = @ballotId
            """, new { ballotId }, tx);
        if (s is not { CompletedAt: not null, PublicKey: { } publicKey, VerificationKeys: { } verificationKeys, Fingerprint: { } fingerprint }) return null;
        return new JointKey(Element.Decode(Convert.FromBase64String(publicKey)), SealingJson.Deserialize<Element[]>(verificationKeys), fingerprint);
    }

    /// <summary>OpenBallot's rule: no ballot opens until its key ceremony is complete (ADR 0902).</summary>
    public static async Task<JointKey> RequireKeyAsync(DbConnection conn, long ballotId, DbTransaction tx)
    {
        if (await KeyAsync(conn, ballotId, tx) is { } key) return key;
        var record = await LoadAsync(conn, ballotId, tx);
        throw new Conflict(record.Named
            ? $"The ballot cannot open before its key ceremony is complete: it waits for {record.Stage switch
            {
                "announcing" => record.Waiting(t => t.Announcement) + " to announce",
                "dealing" => record.Waiting(t => t.Dealing) + " to deal",
                _ => record.Waiting(t => t.Confirmation) + " to confirm",
            }}."
            : "The ballot cannot open before its key ceremony is complete, and no trustees are named yet: the executive names them on the draft.");
    }

    private static readonly JsonSerializerOptions Strict = new(SealingJson.Options)
    {
        RespectNullableAnnotations = true,
        RespectRequiredConstructorParameters = true,
    };

    /// <summary>
    /// Reads one relayed message. Anything that is not one (bad JSON, a missing field, bytes that are not a point) is the
    /// sender's input error: a 400 naming the trustee, never a 500.
    /// </summary>
    public static T Parse<T>(string json, int trustee, string what) where T : class
    {
        try
        {
            var message = JsonSerializer.Deserialize<T>(json, Strict) ?? throw new FormatException("null");
            if (message is DealerMessage { Commitments: var c, Shares: var s } && (c.Any(e => e is null) || s.Any(e => e is null)))
                throw new FormatException("a commitment or share is null");
            return message;
        }
        catch (Exception e) when (e is JsonException or FormatException or ArgumentException or InvalidOperationException or NotSupportedException)
        {
            var why = e is JsonException j ? System.Text.RegularExpressions.Regex.Replace(j.Message, @" ?(for|to|contained in) type '[^']*'", "") : e.Message;
            throw ValidationFailed.For(what, $"Trustee {trustee}'s {what} cannot be read: {why}");
        }
    }

    public static string Canonical<T>(T message) => SealingJson.Serialize(message);
}
