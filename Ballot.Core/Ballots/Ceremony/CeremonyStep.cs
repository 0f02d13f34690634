using System.Data.Common;
using System.Globalization;
using Ballot.Core.Common;
using Ballot.Core.Data;
using Ballot.Core.Staff;
using Dapper;

namespace Ballot.Core.Ballots.Ceremony;

/// <summary>
/// One relayed message, in one write transaction with the ballot row locked: the ballot is a draft, the ceremony is
/// named and not complete, the trustee exists, and the caller presents the staff token bound to that trustee.
/// </summary>
internal sealed class CeremonyStep : IAsyncDisposable
{
    private CeremonyStep(DbConnection conn, DbTransaction tx, CeremonyRecord record, CeremonyRecord.TrusteeRow trustee)
    {
        Conn = conn;
        Tx = tx;
        Record = record;
        Trustee = trustee;
    }

    public DbConnection Conn { get; }
    public DbTransaction Tx { get; }
    public CeremonyRecord Record { get; }
    public CeremonyRecord.TrusteeRow Trustee { get; }

    public static async Task<CeremonyStep> BeginAsync(Db db, long ballotId, int index, StaffActor actor, CancellationToken ct)
    {
        var conn = await db.OpenAsync(ct);
        DbTransaction? tx = null;
        try
        {
            tx = await db.BeginWriteAsync(conn, ct);
            var ballot = await BallotRow.LoadLockedAsync(conn, db.Dialect, ballotId, tx);
            var record = await CeremonyRecord.LoadAsync(conn, ballotId, tx);
            if (!record.Named) throw new Conflict(CeremonyRecord.NotNamed);
            var trustee = record.Trustees.FirstOrDefault(t => t.Idx == index)
                ?? throw new NotFound($"Ballot {ballotId} has no trustee {index}; its trustees are 1 to {record.Trustees.Count}.");
            // Only the token the executive bound to trustee i may speak for it (ADR 0902).
            if (actor.Kind != "token" || trustee.StaffTokenId?.ToString(CultureInfo.InvariantCulture) != actor.Id)
                throw new Forbidden($"Only trustee {index} ({trustee.Name}), with the staff token named for them, may send trustee {index}'s messages.");
            if (ballot.Status != "draft") throw new Conflict($"The ballot is {ballot.Status}: its key ceremony is over.");
            if (record.Complete) throw new Conflict("The key ceremony is complete; the executive resets it to start again.");
            return new CeremonyStep(conn, tx, record, trustee);
        }
        catch
        {
            if (tx is not null) await tx.DisposeAsync();
            await conn.DisposeAsync();
            throw;
        }
    }

    /// <summary>
    /// One round's message from trustee <paramref name="index"/>: parsed, checked to be that trustee's, answered as is
    /// if it repeats what the trustee sent, otherwise accepted (<paramref name="accept"/> checks it against the rounds
    /// before and may write more in the same transaction) and stored in the round's column, all or nothing.
    /// </summary>
    public static async Task<GetCeremony.View> PostAsync<T>(
        Db db, long ballotId, int index, StaffActor actor, string json, string round,
        Func<T, (string Field, int Trustee)> author, Func<CeremonyRecord.TrusteeRow, string?> sent,
        Func<CeremonyStep, T, Task> accept, CancellationToken ct) where T : class
    {
        await using var step = await BeginAsync(db, ballotId, index, actor, ct);
        var message = CeremonyRecord.Parse<T>(json, index, round);
        var (field, by) = author(message);
        if (by != index) throw ValidationFailed.For(field, $"This {round} is trustee {by}'s, not trustee {index}'s.");
        var canonical = CeremonyRecord.Canonical(message);
        if (!step.AlreadySent(sent(step.Trustee), canonical, round))
        {
            await accept(step, message);
            await step.StoreAsync(round, canonical);
        }
        return await step.CommitAsync(ct);
    }

    /// <summary>
    /// True if this trustee already sent exactly this message (a retry after a lost answer: nothing to do); a different
    /// second message is refused, since the others may already have used the first.
    /// </summary>
    public bool AlreadySent(string? stored, string canonical, string what)
    {
        if (stored is null) return false;
        if (stored == canonical) return true;
        throw new Conflict($"Trustee {Trustee.Idx} ({Trustee.Name}) has already sent a different {what}; the executive resets the ceremony to start again.");
    }

    public async Task StoreAsync(string column, string canonical) =>
        await Conn.ExecuteAsync($"UPDATE ballot_trustee SET {column} = @canonical WHERE ballot_id = @ballotId AND idx = @idx",
            new { canonical, ballotId = Record.BallotId, idx = Trustee.Idx }, Tx);

    public async Task<GetCeremony.View> CommitAsync(CancellationToken ct)
    {
        var view = GetCeremony.ViewOf(await CeremonyRecord.LoadAsync(Conn, Record.BallotId, Tx));
        await Tx.CommitAsync(ct);
        return view;
    }

    public async ValueTask DisposeAsync()
    {
        await Tx.DisposeAsync();
        await Conn.DisposeAsync();
    }
}
