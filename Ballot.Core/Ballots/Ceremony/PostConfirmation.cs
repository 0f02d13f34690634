using Ballot.Core.Common;
using Ballot.Core.Data;
using Ballot.Core.Sealing;
using Ballot.Core.Staff;
using Dapper;
using MediatR;

namespace Ballot.Core.Ballots.Ceremony;

/// <summary>
/// Round 3, once every trustee has dealt: trustee i confirms the key fingerprint it computed and proves it holds the share
/// behind its verification key. The last confirmation stores the joint key and puts its fingerprint in the audit chain.
/// </summary>
public static class PostConfirmation
{
    public sealed record Command(long BallotId, int Trustee, string Json, StaffActor Actor) : IRequest<GetCeremony.View>;

    public sealed class Handler(Db db, TimeProvider clock) : IRequestHandler<Command, GetCeremony.View>
    {
        public Task<GetCeremony.View> Handle(Command cmd, CancellationToken ct) =>
            CeremonyStep.PostAsync<TrusteeConfirmation>(db, cmd.BallotId, cmd.Trustee, cmd.Actor, cmd.Json, "confirmation",
                m => ("trustee", m.Trustee), t => t.Confirmation, (step, message) => AcceptAsync(step, cmd, message), ct);

        private async Task AcceptAsync(CeremonyStep step, Command cmd, TrusteeConfirmation message)
        {
            var record = step.Record;
            if (record.Trustees.Any(t => t.Dealing is null))
                throw new Conflict($"Trustee {cmd.Trustee} cannot confirm yet: the ceremony waits for {(record.Trustees.Any(t => t.Announcement is null)
                    ? record.Waiting(t => t.Announcement) + " to announce" : record.Waiting(t => t.Dealing) + " to deal")}.");
            var settings = record.CeremonySettings;
            var key = KeyCeremony.Combine(settings, [.. record.Trustees.Select(t => CeremonyRecord.Parse<DealerMessage>(t.Dealing!, t.Idx, "dealing"))]);
            KeyCeremony.CheckConfirmation(settings, key, message);
            // The last confirmation completes the ceremony (this trustee's is stored with it, in the same transaction).
            if (record.Trustees.All(t => t.Idx == cmd.Trustee || t.Confirmation is not null))
            {
                var now = clock.GetUtcNow();
                var publicKey = Convert.ToBase64String(key.PublicKey.Encode());
                await step.Conn.ExecuteAsync("""
                    UPDATE ballot_ceremony SET public_key = @publicKey, verification_keys = @verificationKeys, fingerprint = @fingerprint, completed_at = @now
                    WHERE ballot_id = @ballotId
                    """, new { publicKey, verificationKeys = SealingJson.Serialize(key.VerificationKeys), fingerprint = key.Fingerprint, now, ballotId = cmd.BallotId }, step.Tx);
                await Audit.AppendAsync(step.Conn, step.Tx, cmd.BallotId, "key-ceremony-completed", cmd.Actor.AuditName,
                    new { fingerprint = key.Fingerprint, publicKey, threshold = settings.Threshold, trustees = settings.Trustees }, now);
            }
        }
    }
}
