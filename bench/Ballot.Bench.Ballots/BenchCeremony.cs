using Ballot.Core.Ballots.Ceremony;
using Ballot.Core.Sealing;
using Ballot.Core.Staff;
using MediatR;

/// <summary>
/// A ballot's 2-of-3 key ceremony in process, through the same use cases as the ceremony endpoints (ADR 0902), so the
/// bench's ballots can open. Returns the trustees (with their shares) for a count that needs them.
/// </summary>
public static class BenchCeremony
{
    private static readonly System.Collections.Concurrent.ConcurrentDictionary<(long, int), StaffActor> Actors = new();

    /// <summary>Trustee i's staff identity for the ballot: only it may send trustee i's partial decryptions.</summary>
    public static StaffActor ActorOf(long ballotId, int trustee) => Actors[(ballotId, trustee)];

    public static async Task<Trustee[]> RunAsync(IMediator mediator, long ballotId)
    {
        var seats = new (string Role, string TokenRole, string Name)[] { ("scrutineer", Roles.Scrutineer, "Bench scrutineer"), ("executive", Roles.Executive, "Bench executive"), ("reserve", Roles.Executive, "Bench reserve") };
        var tokens = new List<CreateToken.Created>();
        foreach (var s in seats) tokens.Add(await mediator.Send(new CreateToken.Command(s.TokenRole, s.Name)));
        await mediator.Send(new NameTrustees.Command(ballotId,
            new NameTrustees.Input(2, [.. seats.Select((s, i) => new NameTrustees.TrusteeInput(s.Role, s.Name, null, tokens[i].Id))]), "bench"));
        StaffActor Actor(int i) => new("token", tokens[i - 1].Id.ToString(System.Globalization.CultureInfo.InvariantCulture), tokens[i - 1].Name, tokens[i - 1].Role);
        for (var i = 1; i <= 3; i++) Actors[(ballotId, i)] = Actor(i);
        var settings = new CeremonySettings(ballotId, 2, 3);
        var people = Enumerable.Range(1, 3).Select(i => Trustee.Create(settings, i)).ToArray();
        var announcements = people.Select(p => p.Announce()).ToArray();
        foreach (var p in people) await mediator.Send(new PostAnnouncement.Command(ballotId, p.Index, SealingJson.Serialize(announcements[p.Index - 1]), Actor(p.Index)));
        var dealings = people.Select(p => p.Deal(announcements)).ToArray();
        foreach (var p in people) await mediator.Send(new PostDealing.Command(ballotId, p.Index, SealingJson.Serialize(dealings[p.Index - 1]), Actor(p.Index)));
        foreach (var p in people) await mediator.Send(new PostConfirmation.Command(ballotId, p.Index, SealingJson.Serialize(p.Finish(announcements, dealings)), Actor(p.Index)));
        return people;
    }
}
