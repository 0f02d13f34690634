using Ballot.Core.Common;
using Ballot.Core.Data;
using Ballot.Core.Mail;
using Dapper;
using MediatR;

namespace Ballot.Core.Ballots;

public static class CertifyBallot
{
    public sealed record Command(long Id, string Actor) : IRequest<GetResult.View>;

    public sealed class Handler(Db db, TimeProvider clock, IMediator mediator) : IRequestHandler<Command, GetResult.View>
    {
        public async Task<GetResult.View> Handle(Command cmd, CancellationToken ct)
        {
            var now = clock.GetUtcNow();
            await using (var conn = await db.OpenAsync(ct))
            await using (var tx = await db.BeginWriteAsync(conn, ct))
            {
                var ballot = await BallotRow.LoadAsync(conn, cmd.Id, tx);
                if (ballot.Status != "closed") throw new Conflict($"The ballot is {ballot.Status}; only a closed, counted ballot can be certified.");
                var check = Audit.Verify(await Audit.ReadAsync(conn, ballot.Id, tx), ballot.AuditSeq);
                if (!check.Intact) throw new Conflict($"The audit chain does not verify: {check.Problem} The result cannot be certified.");
                if (BallotResult.HashOf(ballot.Result!) != ballot.ResultHash)
                    throw new Conflict("The stored result no longer matches the hash recorded when it was counted.");
                var (_, receiptsHash) = await Tally.HashReceiptsAsync(conn, tx, ballot.Id);
                var result = BallotResult.Parse(ballot.Result!);
                if (receiptsHash != result.ReceiptsHash)
                    throw new Conflict("The ballot papers changed after the count: the receipts no longer match.");

                // The status guard: on PostgreSQL a concurrent certify that read 'closed' too waits here, then changes nothing.
                var changed = await conn.ExecuteAsync("UPDATE ballot SET status = 'certified', certified_at = @now, certified_by = @actor, updated_at = @now WHERE id = @id AND status = 'closed'",
                    new { now = now, actor = cmd.Actor, id = ballot.Id }, tx);
                if (changed != 1) throw new Conflict("The ballot was certified by another request at the same time.");
                await Audit.AppendAsync(conn, tx, ballot.Id, "certified", cmd.Actor, new { resultHash = ballot.ResultHash, auditHead = check.HeadHash }, now);
                var letter = Letters.Checked(Letters.ResultNotice(ballot, result));
                var mailingId = await MailQueue.EnqueueAsync(conn, tx,
                    new NewMailing("statutory", letter.Subject, letter.Body, null, Letters.Source, ballot.Id, "result-notice", now),
                    "SELECT e.member_id AS member_id, e.email AS email FROM ballot_elector e WHERE e.ballot_id = @ballotId",
                    new { ballotId = ballot.Id });
                var queued = await conn.ExecuteScalarAsync<long>("SELECT COUNT(*) FROM mailing_recipient WHERE mailing_id = @mailingId", new { mailingId }, tx);
                await Audit.AppendAsync(conn, tx, ballot.Id, "letters-queued", cmd.Actor, new { purpose = "result-notice", mailingId, letters = queued }, now);
                await tx.CommitAsync(ct);
            }
            return await mediator.Send(new GetResult.Query(cmd.Id, Staff: true), ct);
        }
    }
}
