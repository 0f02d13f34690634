using Ballot.Core.Ballots.Voting;
using Ballot.Core.Common;
using MediatR;

namespace Ballot.Core.Ballots;

public static class CastVote
{
    /// <summary>The receipt: the sealed paper's tracker, as shown to the member, with the ballot as the member's page names it.</summary>
    public sealed record Receipt(string Code, long BallotId, string BallotTitle, DateTimeOffset ClosesAt);

    /// <summary>The 404 for a credential nobody was issued; the API counts these per client to slow down guessing.</summary>
    public const string NotValid = "This voting link is not valid.";

    /// <param name="Answers">question id to the chosen option; a missing, blank or unknown option is a spoiled answer.</param>
    public sealed record Command(string Credential, IReadOnlyDictionary<string, string?>? Answers) : IRequest<Receipt>;

    public sealed class Handler(ElectorLookup electors, PaperCache papers, BallotSealer sealer, VoteWriter writer, TimeProvider clock) : IRequestHandler<Command, Receipt>
    {
        public async Task<Receipt> Handle(Command cmd, CancellationToken ct)
        {
            var now = clock.GetUtcNow();
            var elector = await electors.FindForVoteAsync(cmd.Credential, now, ct) ?? throw new NotFound(NotValid);
            if (!elector.IsOpenAt(now)) throw new Forbidden(elector.RefusalAt(now));
            if (elector.Voted != 0) throw new Conflict(AlreadyVoted);
            var paper = await papers.GetAsync(elector.BallotId, ct);
            var unknown = (cmd.Answers?.Keys ?? []).Where(k => paper.Questions.All(q => q.Id != k)).ToList();
            if (unknown.Count > 0)
                throw ValidationFailed.For("answers", $"Unknown question id(s): {string.Join(", ", unknown)}. The questions are: {string.Join(", ", paper.Questions.Select(q => q.Id))}.");
            // Sealed here, in the request and outside the writer's batch: the choice never leaves this call unsealed.
            var sealedPaper = await sealer.SealAsync(elector.BallotId, paper.Questions, cmd.Answers, ct);
            var vote = new Vote(elector.BallotId, elector.MemberId, elector.CredentialHash, elector.Constituency, sealedPaper);
            var result = await writer.SubmitAsync(vote);
            if (result.Outcome == VoteOutcome.Recorded) return new Receipt(Receipts.Display(result.Receipt!), paper.BallotId, paper.Title, paper.ClosesAt);
            if (result.Outcome == VoteOutcome.AlreadyVoted) throw new Conflict(AlreadyVoted);
            electors.Forget(elector.BallotId);
            throw new Forbidden(ElectorState.VotingClosed);
        }
    }

    public const string AlreadyVoted = "This voting link has already been used: you have already voted.";
}
