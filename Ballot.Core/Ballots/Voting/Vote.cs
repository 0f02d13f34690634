using Ballot.Core.Data;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Ballot.Core.Ballots.Voting;

/// <summary>A vote ready to record: the elector's claim (ballot, member, credential hash) and the sealed paper it leaves.</summary>
public sealed record Vote(long BallotId, long MemberId, string CredentialHash, string Constituency, SealedVote Paper);

public enum VoteOutcome { Recorded, AlreadyVoted, NotOpen }

/// <summary>What recording one vote came to: its paper's tracker (the receipt) when recorded.</summary>
public readonly record struct VoteResult(VoteOutcome Outcome, string? Receipt)
{
    public static VoteResult Recorded(string receipt) => new(VoteOutcome.Recorded, receipt);
    public static readonly VoteResult AlreadyVoted = new(VoteOutcome.AlreadyVoted, null);
    public static readonly VoteResult NotOpen = new(VoteOutcome.NotOpen, null);
}

/// <summary>A vote waiting in the writer's queue, answered once the batch holding it is durable (or has failed).</summary>
internal sealed class PendingVote(Vote vote)
{
    private readonly TaskCompletionSource<VoteResult> _done = new(TaskCreationOptions.RunContinuationsAsynchronously);

    public Vote Vote => vote;
    public Task<VoteResult> Task => _done.Task;
    public void Answer(VoteResult result) => _done.TrySetResult(result);
    public void Fail(Exception ex) => _done.TrySetException(ex);
}

/// <summary>
/// Where the writer records a batch: one implementation per engine (<see cref="SqliteVoteStore"/>,
/// <see cref="PostgresVoteStore"/>), holding its own connection and prepared statements from batch to batch.
/// </summary>
internal interface IVoteStore : IAsyncDisposable
{
    /// <summary>
    /// Records the batch in one transaction, each vote with its own outcome, and answers each vote once that
    /// transaction is durable (possibly after returning, from another thread). Throws, having answered none, if the
    /// batch was not committed; what follows the commit (checkpoints) never throws.
    /// </summary>
    Task WriteAsync(IReadOnlyList<PendingVote> batch, DateTimeOffset now);
}

/// <summary>Opens the engine's <see cref="IVoteStore"/>: one per engine, chosen once (ADR 0002).</summary>
public abstract class VoteStores
{
    internal abstract Task<IVoteStore> OpenAsync();

    /// <summary>How many batches the writer may have in flight, each in a store of its own.</summary>
    internal virtual int Lanes => 1;
}

internal sealed class SqliteVoteStores(Db db, IOptions<BallotOptions> options, ILogger<VoteWriter> log) : VoteStores
{
    internal override Task<IVoteStore> OpenAsync() => SqliteVoteStore.OpenAsync(db, options.Value, log);
}

internal sealed class PostgresVoteStores(Db db, IOptions<BallotOptions> options, ILogger<VoteWriter> log) : VoteStores
{
    internal override Task<IVoteStore> OpenAsync() => PostgresVoteStore.OpenAsync(db, options.Value, log);

    internal override int Lanes => options.Value.VoteConnections;
}
