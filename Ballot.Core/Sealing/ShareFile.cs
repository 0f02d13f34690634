using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Geralt;

namespace Ballot.Core.Sealing;

/// <summary>
/// A trustee's secrets at rest. Argon2id stretches the passphrase (a stolen file must cost a guesser memory, not just time);
/// AES-256-GCM seals the secrets; the header is the associated data, so its format and cost cannot be altered unnoticed.
/// </summary>
public static class ShareFile
{
    public const string Format = "ballot-trustee-share";
    public const int Version = 1;
    public const int MinPassphraseLength = 12;

    // RFC 9106's second recommended option: 3 passes over 64 MiB.
    public static readonly KdfCost DefaultCost = new(3, 64 * 1024 * 1024);
    private static readonly KdfCost MaxCost = new(16, 1024 * 1024 * 1024);

    public sealed record KdfCost(int Iterations, int MemoryBytes);

    internal sealed record Envelope(string Format, int Version, string Kdf, int Iterations, int MemoryBytes, byte[] Salt, byte[] Nonce, byte[] Ciphertext, byte[] Tag);

    public static byte[] Write(TrusteeSecrets secrets, string passphrase, KdfCost? cost = null)
    {
        if (passphrase.Length < MinPassphraseLength)
            throw new ArgumentException($"A share file's passphrase has at least {MinPassphraseLength} characters.", nameof(passphrase));
        cost ??= DefaultCost;
        var salt = RandomNumberGenerator.GetBytes(Argon2id.SaltSize);
        var nonce = RandomNumberGenerator.GetBytes(12);
        var plaintext = JsonSerializer.SerializeToUtf8Bytes(secrets, SealingJson.Options);
        var ciphertext = new byte[plaintext.Length];
        var tag = new byte[16];
        var key = DeriveKey(passphrase, salt, cost);
        try
        {
            using var aes = new AesGcm(key, tag.Length);
            aes.Encrypt(nonce, plaintext, ciphertext, tag, Header(Version, cost));
        }
        finally
        {
            CryptographicOperations.ZeroMemory(key);
            CryptographicOperations.ZeroMemory(plaintext);
        }
        var envelope = new Envelope(Format, Version, "argon2id", cost.Iterations, cost.MemoryBytes, salt, nonce, ciphertext, tag);
        return JsonSerializer.SerializeToUtf8Bytes(envelope, SealingJson.Options);
    }

    public static TrusteeSecrets Read(ReadOnlySpan<byte> file, string passphrase)
    {
        Envelope envelope;
        try
        {
            envelope = JsonSerializer.Deserialize<Envelope>(file, SealingJson.Options) ?? throw new FormatException();
        }
        catch (JsonException e)
        {
            throw new FormatException("This is not a trustee share file.", e);
        }
        if (envelope.Format != Format) throw new FormatException("This is not a trustee share file.");
        if (envelope.Version != Version) throw new FormatException($"Share file version {envelope.Version} is not supported; this build reads version {Version}.");
        var cost = new KdfCost(envelope.Iterations, envelope.MemoryBytes);
        if (envelope.Kdf != "argon2id" || cost.Iterations > MaxCost.Iterations || cost.MemoryBytes > MaxCost.MemoryBytes
            || envelope.Salt is not { Length: Argon2id.SaltSize } || envelope.Nonce is not { Length: 12 } || envelope.Tag is not { Length: 16 }
            || envelope.Ciphertext is null)
            throw new FormatException("The share file's header is damaged.");
        var plaintext = new byte[envelope.Ciphertext.Length];
        var key = DeriveKey(passphrase, envelope.Salt, cost);
        try
        {
            using var aes = new AesGcm(key, envelope.Tag.Length);
            aes.Decrypt(envelope.Nonce, envelope.Ciphertext, envelope.Tag, plaintext, Header(envelope.Version, cost));
            return JsonSerializer.Deserialize<TrusteeSecrets>(plaintext, SealingJson.Options) ?? throw new FormatException("The share file is empty.");
        }
        catch (AuthenticationTagMismatchException)
        {
            throw new WrongPassphraseException();
        }
        finally
        {
            CryptographicOperations.ZeroMemory(key);
            CryptographicOperations.ZeroMemory(plaintext);
        }
    }

    private static byte[] DeriveKey(string passphrase, byte[] salt, KdfCost cost)
    {
        var key = new byte[32];
        var password = Encoding.UTF8.GetBytes(passphrase);
        try
        {
            Argon2id.DeriveKey(key, password, salt, cost.Iterations, cost.MemoryBytes);
            return key;
        }
        finally
        {
            CryptographicOperations.ZeroMemory(password);
        }
    }

    private static byte[] Header(int version, KdfCost cost) =>
        Encoding.UTF8.GetBytes($"{Format}|{version}|argon2id|{cost.Iterations}|{cost.MemoryBytes}");
}

/// <summary>The passphrase does not open the share file (or the file was altered).</summary>
public sealed class WrongPassphraseException() : Exception("The passphrase does not open this share file, or the file was altered.");
