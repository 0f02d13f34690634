using System.Collections.Concurrent;
using System.Runtime.CompilerServices;
using Ballot.Core.Sealing;
using Dapper;

namespace Ballot.Tests.Infrastructure;

/// <summary>
/// The trustees of each test ballot, in-process: they run the key ceremony before the ballot opens and decrypt the
/// sums after it closes, as the trustee command would on their own machines. One set per API host's database.
/// </summary>
public sealed class TestTrustees(ApiHost api)
{
    private static readonly ConditionalWeakTable<ApiHost, TestTrustees> ByHost = new();
    private readonly ConcurrentDictionary<long, Trustee[]> _ballots = new();

    public static TestTrustees For(ApiHost api) => ByHost.GetValue(api, a => new TestTrustees(a));

    public ApiHost Api { get; } = api;

    /// <summary>The ballot's trustees, 1..n, once its ceremony has run.</summary>
    public Trustee[] Of(long ballotId) => _ballots.TryGetValue(ballotId, out var t) ? t : throw new InvalidOperationException($"Ballot {ballotId} has had no ceremony.");

    /// <summary>Runs the ballot's key ceremony (2 of 3 unless its draft says otherwise), so that it can open.</summary>
    public async Task CeremonyAsync(long ballotId, int threshold = 2, int trustees = 3)
    {
        // Scaffold until the ceremony endpoints exist: the ceremony runs in-process and its key is installed directly.
        var settings = new CeremonySettings(ballotId, threshold, trustees);
        var people = Enumerable.Range(1, trustees).Select(i => Trustee.Create(settings, i)).ToArray();
        var announcements = people.Select(p => p.Announce()).ToArray();
        var messages = people.Select(p => p.Deal(announcements)).ToArray();
        foreach (var p in people) p.Finish(announcements, messages);
        var key = KeyCeremony.Combine(settings, messages);
        await using var conn = await Api.OpenAsync();
        await conn.ExecuteAsync("""
            INSERT INTO ballot_ceremony (ballot_id, threshold, trustees, public_key, verification_keys, fingerprint, completed_at)
            VALUES (@ballotId, @threshold, @trustees, @publicKey, @verificationKeys, @fingerprint, @now)
            """, new
        {
            ballotId, threshold, trustees,
            publicKey = Convert.ToBase64String(key.PublicKey.Encode()),
            verificationKeys = SealingJson.Serialize(key.VerificationKeys),
            fingerprint = key.Fingerprint,
            now = Api.Clock.GetUtcNow(),
        });
        _ballots[ballotId] = people;
    }

    /// <summary>The given trustees (default: the first t) decrypt the closed ballot's sums, so that it is counted.</summary>
    public async Task DecryptAsync(long ballotId, params int[] which)
    {
        // As the trustee command does: the board over HTTP, the sums recomputed from its papers (a trustee never
        // decrypts a "sum" it has not added up itself: it could be one vote), then each trustee's partials posted.
        var people = Of(ballotId);
        var board = await BoardAsync(Api, ballotId);
        var sums = RecomputedSums(board);
        if (which.Length == 0) which = [.. Enumerable.Range(1, board.Ceremony.Threshold)];
        using var client = await Api.ClientFor(Ballot.Core.Staff.Roles.Scrutineer);
        foreach (var i in which)
        {
            var partials = people[i - 1].Decrypt(SealingContext.ForBallot(ballotId), sums);
            var response = await client.PostAsync($"/api/ballots/{ballotId}/decryptions",
                Http.JsonBody(SealingJson.Serialize(new BoardDecryption(i, partials))));
            // A refused decryption says why in the API's log (a 500's exception is logged, not returned).
            if (!response.IsSuccessStatusCode) TestContext.Out.WriteLine(string.Join("\n", Api.Logs.Lines.TakeLast(20)));
            await response.AssertStatus(System.Net.HttpStatusCode.OK);
        }
    }

    /// <summary>The ballot's board as anyone downloads it.</summary>
    public static async Task<Board> BoardAsync(ApiHost api, long ballotId)
    {
        var response = await (await api.Client.GetAsync($"/api/ballots/{ballotId}/board")).AssertStatus(System.Net.HttpStatusCode.OK);
        return SealingJson.Deserialize<Board>(await response.Content.ReadAsStringAsync());
    }

    /// <summary>The board's sums added up again from its papers, in board order; checked against the board's own.</summary>
    public static IReadOnlyList<Ciphertext> RecomputedSums(Board board)
    {
        var sums = new List<Ciphertext>();
        foreach (var s in board.Sums)
        {
            var papers = board.Papers.Where(p => p.Constituency == s.Constituency).ToList();
            for (var k = 0; k < s.Options.Count; k++)
            {
                var sum = Ciphertext.Sum(papers.Select(p => p.Answers[s.Question].Options[k]));
                Assert.That(sum.Encode(), Is.EqualTo(s.Options[k].Encode()), $"the board's sum for {s.Constituency}, question {s.Question}, option {k}");
                sums.Add(sum);
            }
        }
        return sums;
    }
}
