using System.Security.Cryptography;
using System.Text;
using Ballot.Core.Data;
using Microsoft.Extensions.Options;

namespace Ballot.Core.Ballots;

/// <summary>
/// Voting credentials: base64url(HMAC-SHA256(key, "ballotId:memberId")) truncated to 128 bits. Derived again whenever a
/// letter is rendered, so only SHA-256 of a credential is stored. See docs/decisions/0201-derived-credentials.md.
/// </summary>
public sealed class Credentials
{
    private const int CredentialBytes = 16;
    private readonly byte[] _key;

    public Credentials(IOptions<BallotOptions> options, Db db)
    {
        var o = options.Value;
        if (!string.IsNullOrWhiteSpace(o.CredentialKey))
        {
            _key = Convert.FromBase64String(o.CredentialKey);
            if (_key.Length < 32) throw new InvalidOperationException("Ballots:CredentialKey must be at least 32 bytes (base64).");
        }
        else
        {
            var file = o.CredentialKeyFile ?? Path.Combine(db.DataFolder ?? Path.GetFullPath("data"), "ballot-credentials.key");
            _key = LoadOrCreate(file);
        }
    }

    public string For(long ballotId, long memberId)
    {
        Span<byte> mac = stackalloc byte[32];
        HMACSHA256.HashData(_key, Encoding.ASCII.GetBytes($"{ballotId}:{memberId}"), mac);
        return Base64Url(mac[..CredentialBytes]);
    }

    /// <summary>What is stored and looked up: SHA-256 of the credential text, lowercase hex. A fast hash suffices at 128 bits.</summary>
    public static string Hash(string credential)
    {
        Span<byte> h = stackalloc byte[32];
        SHA256.HashData(Encoding.ASCII.GetBytes(credential), h);
        return Convert.ToHexStringLower(h);
    }

    /// <summary>A credential has exactly the shape we issue; anything else is not looked up at all.</summary>
    public static bool LooksValid(string? credential) =>
        credential is { Length: 22 } && credential.All(c => char.IsAsciiLetterOrDigit(c) || c is '-' or '_');

    public static string Base64Url(ReadOnlySpan<byte> bytes) =>
        Convert.ToBase64String(bytes).TrimEnd('=').Replace('+', '-').Replace('/', '_');

    private static byte[] LoadOrCreate(string file)
    {
        Directory.CreateDirectory(Path.GetDirectoryName(Path.GetFullPath(file))!);
        if (!File.Exists(file))
        {
            var key = RandomNumberGenerator.GetBytes(32);
            try
            {
                // CreateNew: if the API and the worker race to create it, one wins and the other reads its key.
                var fso = new FileStreamOptions { Mode = FileMode.CreateNew, Access = FileAccess.Write };
                if (!OperatingSystem.IsWindows()) fso.UnixCreateMode = UnixFileMode.UserRead | UnixFileMode.UserWrite;
                using var fs = new FileStream(file, fso);
                fs.Write(Encoding.ASCII.GetBytes(Convert.ToBase64String(key)));
                fs.Flush(flushToDisk: true);
                return key;
            }
            catch (IOException) when (File.Exists(file))
            {
            }
        }
        for (var attempt = 0; ; attempt++)
        {
            var text = File.ReadAllText(file).Trim();
            if (text.Length > 0) return Convert.FromBase64String(text);
            if (attempt > 50) throw new InvalidOperationException($"The credential key file {file} is empty.");
            Thread.Sleep(20);
        }
    }
}
