using System.Collections.Concurrent;
using Ballot.Core.Common;
using Ballot.Core.Data;
using Ballot.Core.Sealing;
using Dapper;
using Microsoft.Extensions.Options;

namespace Ballot.Core.Ballots.Voting;

/// <summary>
/// A paper as stored: its sealed answers (<see cref="SealedPaper.Encode"/>) and its tracker, the member's receipt; and,
/// when the sealer made it, its option ciphertexts in board order (question, then option) as points in memory, which
/// the vote path adds to its running sums (ADR 0907) without decoding the stored bytes again.
/// </summary>
public sealed record SealedVote(byte[] Sealed, string Tracker, IReadOnlyList<Ciphertext>? Ciphertexts = null)
{
    public static SealedVote Of(IReadOnlyList<SealedAnswer> answers) =>
        new(SealedPaper.Encode(answers), SealedPaper.Tracker(answers), [.. answers.SelectMany(a => a.Options)]);
}

/// <summary>
/// Seals a paper's answers under its ballot's key on arrival (ADR 0903): each question's answer becomes one ciphertext
/// per option, the paper's options in order and "spoiled" last, under <see cref="SealingContext.ForQuestion"/>. The
/// plaintext choice exists only in this call's locals. Every paper, online or returned by post, is sealed here, so a
/// faster sealer (precomputed randomness) replaces this one class. The key is read once per ballot and kept: a ballot's
/// key never changes once its ceremony is complete, so every process may cache it.
/// </summary>
public sealed class BallotSealer(Db db, IOptions<BallotOptions> options) : IDisposable
{
    private readonly ConcurrentDictionary<long, BallotKey> _keys = new();
    private readonly ConcurrentDictionary<long, Lazy<PaperSealer>> _slots = new();
    // Sealing directly is milliseconds of CPU: at most one per core at a time, the other requests waiting without a thread, so a
    // burst of votes cannot take every pool thread and starve the I/O (connection opens timed out under load without it).
    private readonly SemaphoreSlim _cores = new(Environment.ProcessorCount);

    public const string NoKey = "The ballot has no key: its key ceremony is not complete, so no vote can be sealed.";

    public async Task<BallotKey> KeyAsync(long ballotId, CancellationToken ct = default)
    {
        if (_keys.TryGetValue(ballotId, out var key)) return key;
        await using var conn = await db.OpenAsync(ct);
        var encoded = await conn.ExecuteScalarAsync<string?>(
            "SELECT public_key FROM ballot_ceremony WHERE ballot_id = @ballotId AND completed_at IS NOT NULL", new { ballotId });
        if (encoded is null) throw new Conflict(NoKey);
        return _keys[ballotId] = new BallotKey(Element.Decode(Convert.FromBase64String(encoded)));
    }

    public async Task<SealedVote> SealAsync(long ballotId, IReadOnlyList<Question> questions, IReadOnlyDictionary<string, string?>? answers, CancellationToken ct = default)
    {
        var key = await KeyAsync(ballotId, ct);
        var slots = options.Value.SealingSlotsPerQuestion == 0 ? null : SlotsFor(ballotId, key, questions);
        // From the stock a paper costs microseconds and no thread waits long on it, so it does not queue for a core
        // (queueing cost a thread hop per vote). Between this check and the slots' use nothing awaits, so when the last
        // slot goes, at most the threads running at that moment seal directly without the gate.
        if (slots is { HasStock: true }) return SealedVote.Of(slots.SealPaper([.. questions.Select(q => Chosen(q, answers))]));
        await _cores.WaitAsync(ct);
        try
        {
            if (slots is null) return Seal(key, ballotId, questions, answers);
            return SealedVote.Of(slots.SealPaper([.. questions.Select(q => Chosen(q, answers))]));
        }
        finally
        {
            _cores.Release();
        }
    }

    /// <summary>Starts filling the ballot's sealing slots before its votes arrive (the voting page calls it).</summary>
    public async Task WarmAsync(long ballotId, IReadOnlyList<Question> questions, CancellationToken ct = default)
    {
        if (options.Value.SealingSlotsPerQuestion > 0) SlotsFor(ballotId, await KeyAsync(ballotId, ct), questions);
    }

    /// <summary>
    /// This process's stock of sealing slots for the ballot, one entry per pool (questions with the same number of
    /// options share one); empty until the ballot's first vote or voting page starts the pools.
    /// </summary>
    public IReadOnlyList<SealingStock> StockOf(long ballotId) =>
        _slots.TryGetValue(ballotId, out var lazy) && lazy.IsValueCreated ? [.. lazy.Value.Pools.Select(p => p.Stock())] : [];

    private PaperSealer SlotsFor(long ballotId, BallotKey key, IReadOnlyList<Question> questions) =>
        _slots.GetOrAdd(ballotId, id => new Lazy<PaperSealer>(() =>
            new PaperSealer(id, key, [.. questions.Select(q => q.Options.Count + 1)], options.Value.SealingSlotsPerQuestion))).Value;

    /// <summary>Wipes every slot left: each holds the randomness of a vote not yet cast.</summary>
    public void Dispose()
    {
        foreach (var slots in _slots.Values.Where(l => l.IsValueCreated)) slots.Value.Dispose();
        _slots.Clear();
        _cores.Dispose();
    }

    public static SealedVote Seal(BallotKey key, long ballotId, IReadOnlyList<Question> questions, IReadOnlyDictionary<string, string?>? answers)
    {
        var sealedAnswers = new SealedAnswer[questions.Count];
        for (var q = 0; q < questions.Count; q++)
            sealedAnswers[q] = SealedAnswer.Seal(key, SealingContext.ForQuestion(ballotId, q), questions[q].Options.Count + 1, Chosen(questions[q], answers));
        return SealedVote.Of(sealedAnswers);
    }

    /// <summary>The option's index on the paper, or the last ("spoiled") for a missing, blank or unknown answer, as CastVote.Canonical decides.</summary>
    public static int Chosen(Question question, IReadOnlyDictionary<string, string?>? answers)
    {
        string? given = null;
        answers?.TryGetValue(question.Id, out given);
        var trimmed = given?.Trim();
        for (var i = 0; i < question.Options.Count; i++)
            if (string.Equals(question.Options[i], trimmed, StringComparison.OrdinalIgnoreCase)) return i;
        return question.Options.Count;
    }
}
