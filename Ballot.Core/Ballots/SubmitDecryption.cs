using Ballot.Core.Ballots.Count;
using Ballot.Core.Common;
using Ballot.Core.Data;
using Ballot.Core.Sealing;
using Ballot.Core.Staff;
using Dapper;
using MediatR;

namespace Ballot.Core.Ballots;

/// <summary>
/// A trustee sends their decryption shares of a closed ballot's sums with one batched proof (ADR 0904, 0908). The proof
/// is checked before anything is kept; a bad one is refused naming the trustee. Once t trustees have sent valid ones,
/// they are combined, the totals solved, and the ballot counted: its result stored and hashed, and the audit chain
/// records which trustees took part and which did not. Fewer than t decrypt nothing.
/// </summary>
public static class SubmitDecryption
{
    public sealed record Command(long BallotId, BoardDecryption? Decryption, StaffActor Actor) : IRequest<Result>;

    /// <param name="Trustees">the trustees whose decryptions are kept, in order.</param>
    /// <param name="ResultHash">set once the ballot is counted.</param>
    public sealed record Result(long BallotId, int Trustee, IReadOnlyList<int> Trustees, int Threshold, bool Counted, string? ResultHash, string Message);

    public sealed class Handler(Db db, TimeProvider clock) : IRequestHandler<Command, Result>
    {
        public async Task<Result> Handle(Command cmd, CancellationToken ct)
        {
            var decryption = cmd.Decryption ?? throw ValidationFailed.For("shares", "Send the trustee's decryption shares of the sums and their proof.");
            var trustee = decryption.Trustee;
            // Checking the proof costs seconds of CPU on a large ballot: it runs before the write transaction, so that
            // nothing else (other ballots' votes on SQLite) waits behind it. A closed ballot's sums never change, so
            // the sums checked here are the ones the count below uses; the transaction admits the trustee again.
            StoredCeremony ceremony;
            IReadOnlyList<StoredSum> sums;
            await using (var read = await db.OpenAsync(ct))
            {
                var closed = await BallotRow.LoadWithoutResultAsync(read, cmd.BallotId);
                ceremony = await AdmitAsync(read, null, closed, trustee, cmd.Actor);
                sums = await PaperSums.LoadAsync(read, null, closed.Id);
            }
            SealedCount.Check(ceremony, PaperSums.Flatten(sums.Select(s => s.Sum)), decryption);

            var now = clock.GetUtcNow();
            await using var conn = await db.OpenAsync(ct);
            await using var tx = await db.BeginWriteAsync(conn, ct);
            // Locked: two trustees answering at once are taken one after the other, so the count runs exactly once.
            var ballot = await BallotRow.LoadLockedAsync(conn, db.Dialect, cmd.BallotId, tx);
            await AdmitAsync(conn, tx, ballot, trustee, cmd.Actor);
            await conn.ExecuteAsync("""
                INSERT INTO ballot_decryption (ballot_id, trustee, shares, proof, submitted_by, submitted_at) VALUES (@ballotId, @trustee, @shares, @proof, @actor, @now)
                """, new { ballotId = ballot.Id, trustee, shares = Element.EncodeAffineAll(decryption.Shares), proof = SealingJson.Serialize(decryption.Proof), actor = cmd.Actor.AuditName, now }, tx);
            await Audit.AppendAsync(conn, tx, ballot.Id, "decryption-received", cmd.Actor.AuditName, new { trustee }, now);

            // The shares just checked are used as they are; only the other trustees' are read back.
            var all = (await LoadDecryptionsAsync(conn, tx, ballot.Id, exceptTrustee: trustee)).Append(decryption).OrderBy(d => d.Trustee).ToList();
            var threshold = ceremony.Settings.Threshold;
            var present = all.Select(d => d.Trustee).ToList();
            if (all.Count < threshold)
            {
                await tx.CommitAsync(ct);
                return new Result(ballot.Id, trustee, present, threshold, false, null,
                    $"Trustee {trustee}'s partial decryptions are checked and kept; {all.Count} of the {threshold} trustees needed have answered.");
            }

            var largest = await conn.ExecuteScalarAsync<long>("SELECT COALESCE(MAX(entitled), 0) FROM ballot_constituency WHERE ballot_id = @ballotId",
                new { ballotId = ballot.Id }, tx);
            var totals = SealedCount.Open(ceremony, [.. sums.Select(s => s.Sum)], all, largest);
            await PaperSums.SaveTotalsAsync(conn, tx, ballot.Id, totals);
            var absent = Enumerable.Range(1, ceremony.Settings.Trustees).Except(present).ToList();
            var rules = await RuleSet.ByCodeAsync(conn, ballot.RuleSet, tx);
            var head = await Audit.HeadAsync(conn, tx, ballot.Id);
            var result = await Tally.CountAsync(conn, tx, ballot, rules, ballot.ClosedAt!.Value, totals) with { AuditLength = head.Length, AuditHead = head.Head };
            var json = result.Serialize();
            var hash = BallotResult.HashOf(json);
            await conn.ExecuteAsync("INSERT INTO ballot_count (ballot_id, result) VALUES (@id, @json)", new { json, id = ballot.Id }, tx);
            await conn.ExecuteAsync("UPDATE ballot SET result_hash = @hash WHERE id = @id", new { hash, id = ballot.Id }, tx);
            await Audit.AppendAsync(conn, tx, ballot.Id, "counted", cmd.Actor.AuditName, new
            {
                resultHash = hash, votesCast = result.VotesCast, receiptsHash = result.ReceiptsHash,
                trustees = present, absent, absence = absent.Select(a => $"trustee {a} did not take part").ToList(),
            }, now);
            await tx.CommitAsync(ct);
            return new Result(ballot.Id, trustee, present, threshold, true, hash,
                $"The ballot is counted with the decryptions of trustees {string.Join(", ", present)}.");
        }
    }

    /// <summary>The ballot is closed and not counted, the caller holds trustee i's seat, and i has not sent shares yet.</summary>
    private static async Task<StoredCeremony> AdmitAsync(System.Data.Common.DbConnection conn, System.Data.Common.DbTransaction? tx, BallotRow ballot, int trustee, StaffActor actor)
    {
        if (ballot.Status is "draft" or "open") throw new Conflict($"The ballot is {ballot.Status}; trustees decrypt its sums once it has closed.");
        if (ballot.ResultHash is not null) throw new Conflict("The ballot is already counted; no more decryptions are needed.");
        var ceremony = await StoredCeremony.LoadAsync(conn, tx, ballot.Id) ?? throw new Conflict("The ballot has no completed key ceremony.");
        // Only the token the executive bound to trustee i may send trustee i's decryptions (ADR 0902).
        var seat = await conn.QuerySingleOrDefaultAsync<Seat>("SELECT name, staff_token_id AS token FROM ballot_trustee WHERE ballot_id = @ballotId AND idx = @trustee",
            new { ballotId = ballot.Id, trustee }, tx);
        if (seat is null || actor.Kind != "token" || seat.Token?.ToString(System.Globalization.CultureInfo.InvariantCulture) != actor.Id)
            throw new Forbidden($"Only trustee {trustee}{(seat is null ? "" : $" ({seat.Name})")}, with the staff token named for them, may send trustee {trustee}'s partial decryptions.");
        if (await conn.ExecuteScalarAsync<long>("SELECT COUNT(*) FROM ballot_decryption WHERE ballot_id = @ballotId AND trustee = @trustee",
                new { ballotId = ballot.Id, trustee }, tx) > 0)
            throw new Conflict($"Trustee {trustee} has already sent their partial decryptions.");
        return ceremony;
    }

    private sealed class Seat
    {
        public string Name { get; init; } = "";
        public long? Token { get; init; }
    }

    private sealed class Row
    {
        public int Trustee { get; init; }
        public byte[] Shares { get; init; } = [];
        public string Proof { get; init; } = "";
    }

    /// <summary>The kept decryptions by trustee; the shares are stored as 64-byte affine points, read without a square root.</summary>
    public static async Task<IReadOnlyList<BoardDecryption>> LoadDecryptionsAsync(System.Data.Common.DbConnection conn, System.Data.Common.DbTransaction? tx, long ballotId, int exceptTrustee = 0) =>
        (await conn.QueryAsync<Row>("SELECT trustee, shares, proof FROM ballot_decryption WHERE ballot_id = @ballotId AND trustee <> @exceptTrustee ORDER BY trustee",
            new { ballotId, exceptTrustee }, tx))
        .Select(r => new BoardDecryption(r.Trustee, Element.DecodeAffineAll(r.Shares), SealingJson.Deserialize<EqualityProof>(r.Proof)))
        .ToList();
}
