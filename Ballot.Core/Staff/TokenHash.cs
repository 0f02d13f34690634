using System.Security.Cryptography;
using System.Text;

namespace Ballot.Core.Staff;

/// <summary>Tokens carry 256 random bits, so a plain SHA-256 is enough to store them (no password hashing needed).</summary>
public static class TokenHash
{
    public const string Prefix = "blt_";

    public static string NewToken() => Prefix + Base64Url(RandomNumberGenerator.GetBytes(32));

    public static string Of(string token) => Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(token)));

    public static string Base64Url(ReadOnlySpan<byte> bytes) =>
        Convert.ToBase64String(bytes).TrimEnd('=').Replace('+', '-').Replace('/', '_');
}
