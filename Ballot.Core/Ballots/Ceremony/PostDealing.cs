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
        public Task<GetCeremony.View> Handle(Command cmd, CancellationToken ct) =>
            CeremonyStep.PostAsync<DealerMessage>(db, cmd.BallotId, cmd.Trustee, cmd.Actor, cmd.Json, "dealing",
                m => ("dealer", m.Dealer), t => t.Dealing,
                (step, message) =>
                {
                    if (step.Record.Trustees.Any(t => t.Announcement is null))
                        throw new Conflict($"Trustee {cmd.Trustee} cannot deal yet: the ceremony waits for {step.Record.Waiting(t => t.Announcement)} to announce.");
                    var announcement = CeremonyRecord.Parse<TrusteeAnnouncement>(step.Trustee.Announcement!, cmd.Trustee, "announcement");
                    KeyCeremony.CheckDealerMessage(step.Record.CeremonySettings, announcement, message);
                    return Task.CompletedTask;
                }, ct);
    }
}
