using Ballot.Core.Ballots;
using Ballot.Core.Ballots.Voting;

namespace Ballot.Api.Voting;

/// <summary>
/// At start, loads the electorates of the ballots already open into memory (see ElectorIndex), so an API restarted
/// mid-ballot does not load one while its voters are voting. Nothing waits for it: until a ballot is loaded its votes
/// are looked up in the database.
/// </summary>
internal sealed class ElectorIndexWarmup(ElectorIndex index, ILogger<ElectorIndexWarmup> log) : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        try
        {
            await index.LoadOpenBallotsAsync(stoppingToken);
        }
        catch (Exception ex) when (!stoppingToken.IsCancellationRequested)
        {
            log.LogWarning(ex, "Loading open ballots' electorates at start failed; votes are looked up in the database until a vote loads them");
        }
    }
}
