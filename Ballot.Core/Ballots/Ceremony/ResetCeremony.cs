using Ballot.Core.Common;
using Ballot.Core.Data;
using Dapper;
using MediatR;

namespace Ballot.Core.Ballots.Ceremony;

/// <summary>
/// The executive restarts a draft's key ceremony (a trustee refused, lost its file, or a message failed its check): every
/// message and any key are dropped, the trustees stay named, and each starts again with `trustee init`. Audited.
/// </summary>
public static class ResetCeremony
{
    public sealed record Command(long BallotId, string? Reason, string Actor) : IRequest<GetCeremony.View>, IValidatable
    {
        public void Validate(Problems p) => p.MaxLength("reason", Reason, 500);
    }

    public sealed class Handler(Db db, TimeProvider clock) : IRequestHandler<Command, GetCeremony.View>
    {
        public async Task<GetCeremony.View> Handle(Command cmd, CancellationToken ct)
        {
            var now = clock.GetUtcNow();
            await using var conn = await db.OpenAsync(ct);
            await using var tx = await db.BeginWriteAsync(conn, ct);
            var ballot = await BallotRow.LoadLockedAsync(conn, db.Dialect, cmd.BallotId, tx);
            if (ballot.Status != "draft") throw new Conflict($"The ballot is {ballot.Status}: its key can no longer change.");
            var record = await CeremonyRecord.LoadAsync(conn, ballot.Id, tx);
            if (!record.Named) throw new Conflict(CeremonyRecord.NotNamed);
            if (!record.Started) throw new Conflict("The key ceremony has not started: there is nothing to reset.");
            await conn.ExecuteAsync("UPDATE ballot_trustee SET announcement = NULL, dealing = NULL, confirmation = NULL WHERE ballot_id = @id", new { id = ballot.Id }, tx);
            await conn.ExecuteAsync("""
                UPDATE ballot_ceremony SET public_key = NULL, verification_keys = NULL, fingerprint = NULL, completed_at = NULL WHERE ballot_id = @id
                """, new { id = ballot.Id }, tx);
            await Audit.AppendAsync(conn, tx, ballot.Id, "key-ceremony-reset", cmd.Actor, new
            {
                stage = record.Stage, droppedFingerprint = record.Stored?.Fingerprint,
                reason = string.IsNullOrWhiteSpace(cmd.Reason) ? null : cmd.Reason.Trim(),
            }, now);
            var view = GetCeremony.ViewOf(await CeremonyRecord.LoadAsync(conn, ballot.Id, tx));
            await tx.CommitAsync(ct);
            return view;
        }
    }
}
