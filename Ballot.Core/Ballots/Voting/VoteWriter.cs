using System.Threading.Channels;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Ballot.Core.Ballots.Voting;

/// <summary>
/// Group commit: one writer takes every vote waiting, has the engine's store record them all in one transaction, and
/// each vote is answered only once that transaction is durable. Each vote keeps its own outcome: a credential already
/// used in the batch is refused on its own while the others commit. If the commit fails, every vote in the batch fails
/// and none was recorded; the next batch opens a new store. See docs/decisions/0202-group-commit-votes.md and 0213.
/// Where the engine allows (PostgreSQL, ADR 0912), several such loops ("lanes") take batches from the same queue, each
/// with a store of its own: while one batch waits for its commit to reach the disk, the next one's statement runs.
/// </summary>
public sealed class VoteWriter : IAsyncDisposable
{
    private readonly Channel<PendingVote> _queue;
    private readonly VoteStores _stores;
    private readonly TimeProvider _clock;
    private readonly BallotOptions _options;
    private readonly ILogger<VoteWriter> _log;
    private readonly Lazy<Task> _loop;

    public VoteWriter(VoteStores stores, TimeProvider clock, IOptions<BallotOptions> options, ILogger<VoteWriter> log)
    {
        _stores = stores;
        _clock = clock;
        _options = options.Value;
        _log = log;
        _queue = Channel.CreateUnbounded<PendingVote>(new UnboundedChannelOptions { SingleReader = stores.Lanes == 1 });
        _loop = new Lazy<Task>(() => Task.WhenAll(Enumerable.Range(0, stores.Lanes).Select(_ => Task.Run(RunAsync))));
    }

    /// <summary>Records a vote for a credential already looked up; answers once it is durable, or refused.</summary>
    public Task<VoteResult> SubmitAsync(Vote vote)
    {
        _ = _loop.Value;
        var pending = new PendingVote(vote);
        if (!_queue.Writer.TryWrite(pending)) throw new InvalidOperationException("The vote writer has stopped.");
        return pending.Task;
    }

    private async Task RunAsync()
    {
        var batch = new List<PendingVote>(_options.MaxVotesPerCommit);
        IVoteStore? store = null;
        while (await _queue.Reader.WaitToReadAsync())
        {
            batch.Clear();
            while (batch.Count < _options.MaxVotesPerCommit && _queue.Reader.TryRead(out var v)) batch.Add(v);
            if (batch.Count == 0) continue;
            try
            {
                store ??= await _stores.OpenAsync();
                await store.WriteAsync(batch, _clock.GetUtcNow());
            }
            catch (Exception ex)
            {
                // Nothing of the batch was committed and no vote of it was answered.
                _log.LogError(ex, "A batch of {Count} votes failed to commit; none was recorded", batch.Count);
                foreach (var v in batch) v.Fail(ex);
                if (store is not null) await DisposeQuietlyAsync(store);
                store = null;
            }
        }
        if (store is not null) await store.DisposeAsync();
    }

    private async Task DisposeQuietlyAsync(IVoteStore store)
    {
        try
        {
            await store.DisposeAsync();
        }
        catch (Exception ex)
        {
            _log.LogWarning(ex, "Closing the vote writer's connection after a failed batch failed");
        }
    }

    public async ValueTask DisposeAsync()
    {
        _queue.Writer.TryComplete();
        if (_loop.IsValueCreated) await _loop.Value;
    }
}
