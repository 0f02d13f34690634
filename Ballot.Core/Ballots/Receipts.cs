using System.Security.Cryptography;

namespace Ballot.Core.Ballots;

/// <summary>Receipt codes: 16 random Crockford base32 characters (80 bits), shown as four groups of four.</summary>
public static class Receipts
{
    private const string Alphabet = "0123456789ABCDEFGHJKMNPQRSTVWXYZ";

    public static string New()
    {
        Span<byte> bytes = stackalloc byte[16];
        RandomNumberGenerator.Fill(bytes);
        Span<char> chars = stackalloc char[16];
        for (var i = 0; i < 16; i++) chars[i] = Alphabet[bytes[i] & 31];
        return new string(chars);
    }

    public static string Display(string receipt) =>
        receipt.Length == 16 ? $"{receipt[..4]}-{receipt[4..8]}-{receipt[8..12]}-{receipt[12..]}" : receipt;

    /// <summary>Accepts what a member types: any case, with or without dashes or spaces; O, I and L read as 0, 1, 1.</summary>
    public static string? Normalize(string? text)
    {
        if (text is null) return null;
        var s = new string(text.Where(c => c is not ('-' or ' ')).Select(char.ToUpperInvariant)
            .Select(c => c switch { 'O' => '0', 'I' or 'L' => '1', _ => c }).ToArray());
        return s.Length == 16 && s.All(c => Alphabet.Contains(c)) ? s : null;
    }
}
