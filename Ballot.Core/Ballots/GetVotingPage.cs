using Ballot.Core.Ballots.Voting;
using MediatR;

namespace Ballot.Core.Ballots;

/// <summary>
/// What a member's voting link shows now: the paper to fill in, or why not. The same <see cref="ElectorState.IsOpenAt"/>
/// rule as a vote (<see cref="CastVote"/>), read from the database so a used link says so. Never what anyone chose.
/// </summary>
public static class GetVotingPage
{
    public enum Stage { NotYetOpen, Open, AlreadyVoted, Closed }

    /// <param name="PaperNumber">the number an online industrial action paper shows (s.229).</param>
    /// <param name="Certified">whether the result is published, so a closed ballot's page can link to it.</param>
    public sealed record View(Stage Stage, PaperContent Paper, DateTimeOffset OpensAt, string PaperNumber, bool Certified);

    /// <summary>Answers null when no elector holds this credential.</summary>
    public sealed record Query(string Credential) : IRequest<View?>;

    public sealed class Handler(ElectorLookup electors, PaperCache papers, Voting.BallotSealer sealer, TimeProvider clock) : IRequestHandler<Query, View?>
    {
        public async Task<View?> Handle(Query q, CancellationToken ct)
        {
            var elector = await electors.FindAsync(q.Credential, ct);
            if (elector is null) return null;
            var paper = await papers.GetAsync(elector.BallotId, ct);
            var now = clock.GetUtcNow();
            var stage = !elector.IsOpenAt(now) ? (now < elector.OpensAt ? Stage.NotYetOpen : Stage.Closed)
                : elector.Voted != 0 ? Stage.AlreadyVoted : Stage.Open;
            // A member reading the paper is about to vote: the ballot's sealing slots start filling now, if not already.
            if (stage == Stage.Open) await sealer.WarmAsync(paper.BallotId, paper.Questions, ct);
            return new View(stage, paper, elector.OpensAt, $"{paper.BallotId}-{elector.CredentialHash[..10].ToUpperInvariant()}",
                elector.Status == "certified");
        }
    }
}
