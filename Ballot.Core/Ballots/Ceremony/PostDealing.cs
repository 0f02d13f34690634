using Ballot.Core.Common;
using Ballot.Core.Data;
using Ballot.Core.Sealing;
using Ballot.Core.Staff;
using MediatR;

namespace Ballot.Core.Ballots.Ceremony;

/// <summary>
/// Round 2, once every trustee has announced: trustee i's commitments (they must hash to what it announced), the proof
/// for its constant term, and one share sealed to each other trustee's transport key. The server cannot open a share.
/// </summary>
public static class PostDealing
{
    public sealed record Command(long BallotId, int Trustee, string Json, StaffActor Actor) : IRequest<GetCeremony.View>;

    public sealed class Handler(Db db) : IRequestHandler<Command, GetCeremony.View>
    {
        public async Task<GetCeremony.View> Handle(Command cmd, CancellationToken ct)
        {
            await using var step = await CeremonyStep.BeginAsync(db, cmd.BallotId, cmd.Trustee, cmd.Actor, ct);
            var message = CeremonyRecord.Parse<DealerMessage>(cmd.Json, cmd.Trustee, "dealing");
            if (message.Dealer != cmd.Trustee) throw ValidationFailed.For("dealer", $"This dealing is trustee {message.Dealer}'s, not trustee {cmd.Trustee}'s.");
            var canonical = CeremonyRecord.Canonical(message);
            if (step.AlreadySent(step.Trustee.Dealing, canonical, "dealing")) return await step.CommitAsync(ct);
            if (step.Record.Trustees.Any(t => t.Announcement is null))
                throw new Conflict($"Trustee {cmd.Trustee} cannot deal yet: the ceremony waits for {step.Record.Waiting(t => t.Announcement)} to announce.");
            var announcement = CeremonyRecord.Parse<TrusteeAnnouncement>(step.Trustee.Announcement!, cmd.Trustee, "announcement");
            KeyCeremony.CheckDealerMessage(step.Record.CeremonySettings, announcement, message);
            await step.StoreAsync("dealing", canonical);
            return await step.CommitAsync(ct);
        }
    }
}
