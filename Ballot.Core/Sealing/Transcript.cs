using System.Buffers;
using System.Buffers.Binary;
using System.Security.Cryptography;
using System.Text;

namespace Ballot.Core.Sealing;

/// <summary>
/// Fiat–Shamir: a proof's challenge is SHA-256 over a domain tag, the proof's label, the context (the ballot),
/// its statement and its commitments, each length-prefixed so that two different transcripts never hash the same bytes.
/// </summary>
public sealed class Transcript
{
    public const string Domain = "ballot.sealing.v1";

    private readonly ArrayBufferWriter<byte> _bytes = new(512);

    public Transcript(string label, ReadOnlySpan<byte> context)
    {
        Append(Encoding.UTF8.GetBytes(Domain));
        Append(Encoding.UTF8.GetBytes(label));
        Append(context);
    }

    public Transcript Append(ReadOnlySpan<byte> bytes)
    {
        BinaryPrimitives.WriteInt32BigEndian(_bytes.GetSpan(4), bytes.Length);
        _bytes.Advance(4);
        _bytes.Write(bytes);
        return this;
    }

    public Transcript Append(Element element) => Append(element.Encoded);
    public Transcript Append(FixedBase fixedBase) => Append(fixedBase.Value.Encoded);
    public Transcript Append(Ciphertext ciphertext) => Append(ciphertext.A).Append(ciphertext.B);

    public Transcript Append(long value)
    {
        Span<byte> bytes = stackalloc byte[8];
        BinaryPrimitives.WriteInt64BigEndian(bytes, value);
        return Append(bytes);
    }

    // SHA-256 reduced modulo q: q is within 2^-32 of 2^256, so the challenge is close enough to uniform.
    public Scalar Challenge() => Scalar.FromDigest(SHA256.HashData(_bytes.WrittenSpan));
}

/// <summary>What a proof is bound to, so that it cannot be replayed in another ballot or question.</summary>
public static class SealingContext
{
    public static byte[] ForBallot(long ballotId) => Encoding.UTF8.GetBytes($"ballot/{ballotId}");

    public static byte[] ForQuestion(long ballotId, int question) => Encoding.UTF8.GetBytes($"ballot/{ballotId}/question/{question}");
}
