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
        public async Task<GetCeremony.View> Handle(Command cmd, CancellationToken ct)
        {
            await using var step = await CeremonyStep.BeginAsync(db, cmd.BallotId, cmd.Trustee, cmd.Actor, ct);
            var message = CeremonyRecord.Parse<TrusteeAnnouncement>(cmd.Json, cmd.Trustee, "announcement");
            if (message.Trustee != cmd.Trustee) throw ValidationFailed.For("trustee", $"This announcement is trustee {message.Trustee}'s, not trustee {cmd.Trustee}'s.");
            var canonical = CeremonyRecord.Canonical(message);
            if (step.AlreadySent(step.Trustee.Announcement, canonical, "announcement")) return await step.CommitAsync(ct);
            KeyCeremony.CheckAnnouncement(step.Record.CeremonySettings, message);
            await step.StoreAsync("announcement", canonical);
            return await step.CommitAsync(ct);
        }
    }
}
