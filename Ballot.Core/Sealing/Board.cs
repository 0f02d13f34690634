namespace Ballot.Core.Sealing;

/// <summary>
/// A sealed ballot's public bulletin board (<c>GET /api/ballots/{id}/board</c>): everything a verifier needs to recheck
/// the ceremony, every sealed paper, the sums, the trustees' partial decryptions and the totals, from this alone.
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
    public const int CurrentVersion = 1;
}

/// <summary>A trustee and the ceremony messages it sent, as relayed.</summary>
public sealed record BoardTrustee(int Index, string Role, string Name, TrusteeAnnouncement? Announcement, DealerMessage? Dealing, TrusteeConfirmation? Confirmation);

/// <summary>A question with its options as sealed: the paper's options, then "spoiled" last.</summary>
public sealed record BoardQuestion(string Id, string Text, IReadOnlyList<string> Options);

/// <summary>One cast paper: its tracker (<see cref="SealedPaper.Tracker"/>), constituency and one sealed answer per question.</summary>
public sealed record BoardPaper(string Tracker, string Constituency, IReadOnlyList<SealedAnswer> Answers);

/// <summary>The papers of one constituency added up for one question, one ciphertext per option. Ordered by constituency (ordinal), then question.</summary>
public sealed record BoardSum(string Constituency, int Question, IReadOnlyList<Ciphertext> Options);

/// <summary>One trustee's partial decryptions, position k being the k-th option ciphertext of the sums in order.</summary>
public sealed record BoardDecryption(int Trustee, IReadOnlyList<PartialDecryption> Partials);

/// <summary>The decrypted totals of one sum, in option order.</summary>
public sealed record BoardTotal(string Constituency, int Question, IReadOnlyList<long> Options);
