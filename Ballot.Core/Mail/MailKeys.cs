using System.Security.Cryptography;
using System.Text;
using Ballot.Core.Data;
using Dapper;

namespace Ballot.Core.Mail;

/// <summary>
/// The installation's mail key (table mail_secret, made by the migration): signs unsubscribe links, so a member's
/// link cannot be guessed from another's, and salts Message-IDs, so two installations never share one.
/// </summary>
public sealed class MailKeys(Db db)
{
    private byte[]? _key;
    private string? _tag;

    private byte[] Key => _key ?? throw new InvalidOperationException("MailKeys.LoadAsync was not called.");

    public async Task LoadAsync(CancellationToken ct = default)
    {
        if (_key is not null) return;
        await using var conn = await db.OpenAsync(ct);
        var hex = await conn.ExecuteScalarAsync<string>("SELECT secret FROM mail_secret WHERE id = 1");
        Use(Convert.FromHexString(hex!));
    }

    /// <summary>Uses a key held elsewhere (benchmarks, tools) instead of the database's.</summary>
    public void Use(byte[] key)
    {
        _tag = Convert.ToHexStringLower(HMACSHA256.HashData(key, "message-id"u8))[..10];
        _key = key;
    }

    /// <summary>"{memberId}-{22 characters of HMAC}": stable per member, so every letter's link works.</summary>
    public string UnsubscribeToken(long memberId)
    {
        var mac = HMACSHA256.HashData(Key, Encoding.ASCII.GetBytes("unsubscribe:" + memberId));
        return memberId.ToString(System.Globalization.CultureInfo.InvariantCulture) + "-" + Base64Url(mac.AsSpan(0, 16));
    }

    /// <summary>The member a token names, or null when it was not made with this installation's key.</summary>
    public long? MemberFromToken(string token)
    {
        var dash = token.IndexOf('-');
        if (dash <= 0 || !long.TryParse(token.AsSpan(0, dash), System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out var id))
            return null;
        var expected = Encoding.ASCII.GetBytes(UnsubscribeToken(id));
        return CryptographicOperations.FixedTimeEquals(expected, Encoding.ASCII.GetBytes(token)) ? id : null;
    }

    /// <summary>Stable per recipient row: a resend after a crash carries the same Message-ID as the first try.</summary>
    public string MessageId(long mailingId, long recipientId, string domain) =>
        $"m{mailingId}.r{recipientId}.{_tag ?? throw new InvalidOperationException("MailKeys.LoadAsync was not called.")}@{domain}";

    private static string Base64Url(ReadOnlySpan<byte> bytes) =>
        Convert.ToBase64String(bytes).TrimEnd('=').Replace('+', '-').Replace('/', '_');
}
