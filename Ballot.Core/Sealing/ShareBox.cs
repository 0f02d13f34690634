using System.Buffers.Binary;
using System.Security.Cryptography;

namespace Ballot.Core.Sealing;

/// <summary>
/// ECIES in the ballot's own group: an ephemeral key agreement with the recipient's transport key, HKDF-SHA256,
/// then AES-256-GCM, with the ceremony, dealer and recipient as associated data so a relayed share cannot be redirected.
/// </summary>
public static class ShareBox
{
    private const int NonceSize = 12, TagSize = 16;

    public static SealedShare Seal(CeremonySettings settings, int dealer, int recipient, Element recipientKey, Scalar share)
    {
        var e = Scalar.Random();
        var ephemeral = Group.Generator.Multiply(e);
        var aad = AssociatedData(settings, dealer, recipient);
        var key = DeriveKey(recipientKey.Multiply(e), ephemeral, aad);
        var plaintext = share.Encode();
        var nonce = RandomNumberGenerator.GetBytes(NonceSize);
        var ciphertext = new byte[plaintext.Length];
        var tag = new byte[TagSize];
        try
        {
            using var aes = new AesGcm(key, TagSize);
            aes.Encrypt(nonce, plaintext, ciphertext, tag, aad);
        }
        finally
        {
            CryptographicOperations.ZeroMemory(key);
            CryptographicOperations.ZeroMemory(plaintext);
        }
        return new SealedShare(recipient, ephemeral, nonce, ciphertext, tag);
    }

    public static Scalar Open(CeremonySettings settings, int dealer, SealedShare box, Scalar recipientSecret)
    {
        if (box.Ephemeral.IsIdentity || box.Nonce.Length != NonceSize || box.Tag.Length != TagSize || box.Ciphertext.Length != Scalar.Size)
            throw new SealingException($"The share from trustee {dealer} is malformed.", dealer);
        var aad = AssociatedData(settings, dealer, box.Recipient);
        var key = DeriveKey(box.Ephemeral.Multiply(recipientSecret), box.Ephemeral, aad);
        var plaintext = new byte[box.Ciphertext.Length];
        try
        {
            using var aes = new AesGcm(key, TagSize);
            aes.Decrypt(box.Nonce, box.Ciphertext, box.Tag, plaintext, aad);
            return Scalar.Decode(plaintext);
        }
        catch (Exception e) when (e is AuthenticationTagMismatchException or FormatException)
        {
            throw new SealingException($"The share from trustee {dealer} does not open.", dealer);
        }
        finally
        {
            CryptographicOperations.ZeroMemory(key);
            CryptographicOperations.ZeroMemory(plaintext);
        }
    }

    private static byte[] DeriveKey(Element shared, Element ephemeral, byte[] info) =>
        HKDF.DeriveKey(HashAlgorithmName.SHA256, shared.Encode(), 32, ephemeral.Encode(), info);

    private static byte[] AssociatedData(CeremonySettings settings, int dealer, int recipient)
    {
        var context = settings.Context;
        var aad = new byte[context.Length + 8];
        context.CopyTo(aad, 0);
        BinaryPrimitives.WriteInt32BigEndian(aad.AsSpan(context.Length), dealer);
        BinaryPrimitives.WriteInt32BigEndian(aad.AsSpan(context.Length + 4), recipient);
        return aad;
    }
}
