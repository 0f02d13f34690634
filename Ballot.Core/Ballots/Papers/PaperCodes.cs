using System.Security.Cryptography;
using System.Text;

namespace Ballot.Core.Ballots.Papers;

/// <summary>
/// What a voting paper carries to identify it. The serial number (s.229) is its place in the print run. The short code,
/// printed beside the QR code on the papers of electronic and hybrid ballots, is a one-way function of the elector's own
/// credential: typed at /vote it leads to the very credential of the email letter, so one vote per member holds across
/// both channels. 80 bits, Crockford base32, shown as four groups of four (arithmetic in ADR 0611).
/// </summary>
public static class PaperCodes
{
    private const string Alphabet = "0123456789ABCDEFGHJKMNPQRSTVWXYZ";
    private const string Label = "ballot paper short code v1\n";
    public const int ShortCodeChars = 16;

    public static string ShortCode(string credential)
    {
        Span<byte> h = stackalloc byte[32];
        SHA256.HashData(Encoding.ASCII.GetBytes(Label + credential), h);
        // 16 characters of 5 bits: the first 80 bits of the hash.
        Span<char> chars = stackalloc char[ShortCodeChars];
        ulong acc = 0;
        int bits = 0, b = 0;
        for (var i = 0; i < ShortCodeChars; i++)
        {
            if (bits < 5) { acc = (acc << 8) | h[b++]; bits += 8; }
            chars[i] = Alphabet[(int)((acc >> (bits - 5)) & 31)];
            bits -= 5;
        }
        return new string(chars);
    }

    public static string Display(string code) => $"{code[..4]}-{code[4..8]}-{code[8..12]}-{code[12..]}";

    /// <summary>What a member or staff typed: any case, dashes and spaces ignored, O/I/L read as 0/1/1. Null if not a code.</summary>
    public static string? Normalize(string? text)
    {
        if (text is null) return null;
        var s = new string(text.Where(c => c is not ('-' or ' ')).Select(char.ToUpperInvariant)
            .Select(c => c switch { 'O' => '0', 'I' or 'L' => '1', _ => c }).ToArray());
        return s.Length == ShortCodeChars && s.All(c => Alphabet.Contains(c)) ? s : null;
    }

    /// <summary>Stored and looked up: SHA-256 of the normalised code.</summary>
    public static string Hash(string code) => Credentials.Hash("paper:" + code);

    /// <summary>A serial as typed ("000123", "123"); null if it is not one.</summary>
    public static long? Serial(string? text)
    {
        var t = text?.Trim();
        if (string.IsNullOrEmpty(t) || t.Length > 9 || !t.All(char.IsAsciiDigit)) return null;
        var n = long.Parse(t, System.Globalization.CultureInfo.InvariantCulture);
        return n > 0 ? n : null;
    }

    public static string SerialText(long serial) => serial.ToString("000000", System.Globalization.CultureInfo.InvariantCulture);

    /// <summary>The credential in a voting link as the QR code carries it (…/vote/{credential}), or a bare credential.</summary>
    public static string? CredentialIn(string? text)
    {
        var t = text?.Trim() ?? "";
        var i = t.LastIndexOf("/vote/", StringComparison.Ordinal);
        if (i >= 0) t = t[(i + 6)..];
        return Credentials.LooksValid(t) ? t : null;
    }
}
