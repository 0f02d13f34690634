using Ballot.Core.Common;

namespace Ballot.Core.Ballots.Voting;

/// <summary>An elector as a vote or the voting page needs them: their ballot, their constituency, and the ballot's window.</summary>
public sealed class ElectorState
{
    public long BallotId { get; init; }
    public long MemberId { get; init; }
    public string Constituency { get; init; } = "";
    /// <summary>From the database; 0 when found in memory, where the writer's claim decides.</summary>
    public long Voted { get; init; }
    public string Status { get; init; } = "";
    public DateTimeOffset OpensAt { get; init; }
    public DateTimeOffset ClosesAt { get; init; }
    public string CredentialHash { get; init; } = "";

    /// <summary>The one rule for whether this elector may vote now, as far as the ballot goes.</summary>
    public bool IsOpenAt(DateTimeOffset now) => Status == "open" && OpensAt <= now && now < ClosesAt;

    /// <summary>Why a vote is refused when <see cref="IsOpenAt"/> is false.</summary>
    public string RefusalAt(DateTimeOffset now) => now < OpensAt ? $"Voting opens on {UnionTime.Shared.When(OpensAt)}." : VotingClosed;

    public const string VotingClosed = "Voting has closed.";
}

/// <summary>
/// Finds an elector by credential. A vote tries memory first (<see cref="ElectorIndex"/>: an open ballot's electorate,
/// with the ballot's window from <see cref="PaperCache"/>), then the database; an elector of an open ballot found in the
/// database starts loading that ballot into memory, and a ballot found closed leaves it. See ADR 0212.
/// </summary>
public sealed class ElectorLookup(ElectorIndex index, ElectorReaders readers, PaperCache papers)
{
    /// <summary>From the database, with whether this elector has voted: what the voting page shows.</summary>
    public Task<ElectorState?> FindAsync(string? credential, CancellationToken ct) =>
        Credentials.LooksValid(credential) ? readers.FindAsync(Credentials.Hash(credential!), ct) : Task.FromResult<ElectorState?>(null);

    /// <summary>For a vote: memory first. Whether the credential was used, and whether the ballot is still open, the writer's claim decides.</summary>
    public async Task<ElectorState?> FindForVoteAsync(string? credential, DateTimeOffset now, CancellationToken ct)
    {
        if (!Credentials.LooksValid(credential)) return null;
        var hash = Credentials.Hash(credential!);
        if (index.TryFind(hash, out var ballotId, out var memberId, out var constituency))
        {
            var paper = await papers.GetAsync(ballotId, ct);
            if (now >= paper.ClosesAt) index.Forget(ballotId);
            return new ElectorState
            {
                BallotId = ballotId, MemberId = memberId, Constituency = constituency, Status = "open",
                OpensAt = paper.OpensAt, ClosesAt = paper.ClosesAt, CredentialHash = hash,
            };
        }
        var elector = await readers.FindAsync(hash, ct);
        if (elector is not null && elector.IsOpenAt(now)) index.Load(elector.BallotId);
        return elector;
    }

    /// <summary>The writer found the ballot closed: its credentials go back to the database path.</summary>
    public void Forget(long ballotId) => index.Forget(ballotId);
}
