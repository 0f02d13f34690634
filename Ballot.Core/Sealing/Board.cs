using System.Text.Json.Serialization;

namespace Ballot.Core.Sealing;

/// <summary>
/// A sealed ballot's public bulletin board (<c>GET /api/ballots/{id}/board</c>): everything a verifier needs to recheck
/// the ceremony, every sealed paper, the sums, the trustees' decryption shares and the totals, from this alone.
/// Contexts: answer q of a paper is sealed under <see cref="SealingContext.ForQuestion"/>(ballot, q); partial
/// decryptions under <see cref="SealingContext.ForBallot"/>, position k counting the options of <see cref="Sums"/> in order.
/// </summary>
public sealed record Board(
    string Format, int Version, long BallotId, string Title,
    CeremonySettings Ceremony, JointKey? Key,
    IReadOnlyList<BoardTrustee> Trustees,
    IReadOnlyList<BoardQuestion> Questions,
    IReadOnlyList<BoardPaper> Papers,
    IReadOnlyList<BoardSum> Sums,
    IReadOnlyList<BoardDecryption> Decryptions,
    IReadOnlyList<BoardTotal> Totals,
    string? ResultHash)
{
    public const string FormatName = "ballot-board";
    // 2: a trustee's decryption is its shares of every sum with one batched proof (ADR 0908); 1 had a proof per sum.
    public const int CurrentVersion = 2;
}

/// <summary>A trustee and the ceremony messages it sent, as relayed.</summary>
public sealed record BoardTrustee(int Index, string Role, string Name, TrusteeAnnouncement? Announcement, DealerMessage? Dealing, TrusteeConfirmation? Confirmation);

/// <summary>A question with its options as sealed: the paper's options, then "spoiled" last.</summary>
public sealed record BoardQuestion(string Id, string Text, IReadOnlyList<string> Options);

/// <summary>One cast paper: its tracker (<see cref="SealedPaper.Tracker"/>), constituency and one sealed answer per question.</summary>
public sealed record BoardPaper(string Tracker, string Constituency, IReadOnlyList<SealedAnswer> Answers);

/// <summary>The papers of one constituency added up for one question, one ciphertext per option. Ordered by constituency (ordinal), then question.</summary>
public sealed record BoardSum(string Constituency, int Question, IReadOnlyList<Ciphertext> Options);

/// <summary>
/// One trustee's decryption of every sum (ADR 0908): the shares D_k = x_i·A_k, position k being the k-th option
/// ciphertext of the sums in order, and ONE Chaum–Pedersen proof over a random linear combination of them all
/// (<see cref="BatchDecryption"/>). The shares travel as one base64 string of 64-byte affine points (x ‖ y; the identity
/// is 64 zero bytes), which read back with a curve-equation check and no square root.
/// </summary>
public sealed record BoardDecryption(
    int Trustee,
    [property: JsonConverter(typeof(AffineElementsJsonConverter))] IReadOnlyList<Element> Shares,
    EqualityProof Proof);

/// <summary>The decrypted totals of one sum, in option order.</summary>
public sealed record BoardTotal(string Constituency, int Question, IReadOnlyList<long> Options);
