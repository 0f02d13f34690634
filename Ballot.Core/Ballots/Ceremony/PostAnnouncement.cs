using Ballot.Core.Common;
using Ballot.Core.Data;
using Ballot.Core.Sealing;
using Ballot.Core.Staff;
using MediatR;

namespace Ballot.Core.Ballots.Ceremony;

/// <summary>Round 1: trustee i's transport key with its proof, and the hash of the commitments it will deal (ADR 0901).</summary>
public static class PostAnnouncement
{
    public sealed record Command(long BallotId, int Trustee, string Json, StaffActor Actor) : IRequest<GetCeremony.View>;

    public sealed class Handler(Db db) : IRequestHandler<Command, GetCeremony.View>
    {
        public Task<GetCeremony.View> Handle(Command cmd, CancellationToken ct) =>
            CeremonyStep.PostAsync<TrusteeAnnouncement>(db, cmd.BallotId, cmd.Trustee, cmd.Actor, cmd.Json, "announcement",
                m => ("trustee", m.Trustee), t => t.Announcement,
                (step, message) =>
                {
                    KeyCeremony.CheckAnnouncement(step.Record.CeremonySettings, message);
                    return Task.CompletedTask;
                }, ct);
    }
}
