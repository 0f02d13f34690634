using Ballot.Core.Sealing;

namespace Ballot.Tests.Sealing;

/// <summary>Precomputed sealing slots (ADR 0905): the same answers as sealing directly, each slot used once.</summary>
public sealed class SealingPoolTests
{
    private const long BallotId = 21;
    private Ceremony _ceremony = null!;

    [OneTimeSetUp]
    public void Ceremony() => _ceremony = SealingKit.Run(BallotId, threshold: 1, trustees: 1);

    [Test]
    public void An_answer_sealed_from_a_slot_verifies_decrypts_to_the_choice_and_reads_back_like_a_direct_one()
    {
        var key = _ceremony.BallotKey;
        for (var chosen = 0; chosen < 4; chosen++)
        {
            var context = SealingContext.ForQuestion(BallotId, 1);
            var answer = SealingSlot.Create(key, 4).Seal(context, chosen);
            Assert.That(answer.Verify(key, context), Is.True, $"choice {chosen}");
            Assert.That(answer.Verify(key, SealingContext.ForQuestion(BallotId, 0)), Is.False, "bound to its question");
            Assert.That(SealingKit.Count(_ceremony, SealingContext.ForBallot(BallotId), answer.Options, _ceremony.Trustees[0]),
                Is.EqualTo(Enumerable.Range(0, 4).Select(i => i == chosen ? 1L : 0L)));
            var direct = SealedAnswer.Seal(key, context, 4, chosen);
            var bytes = SealedPaper.Encode([answer]);
            Assert.That(bytes, Has.Length.EqualTo(SealedPaper.Encode([direct]).Length));
            var back = SealedPaper.Decode(bytes);
            Assert.That(back[0].Verify(key, context), Is.True);
            Assert.That(SealedPaper.Tracker(back), Is.EqualTo(SealedPaper.Tracker([answer])));
            Assert.That(SealedPaper.Encode(back), Is.EqualTo(bytes));
        }
    }

    [Test]
    public void A_slot_seals_once_only_and_is_wiped_after_use()
    {
        var slot = SealingSlot.Create(_ceremony.BallotKey, 3);
        var context = SealingContext.ForQuestion(BallotId, 0);
        slot.Seal(context, 1);
        Assert.Throws<InvalidOperationException>(() => slot.Seal(context, 2));
        var buffer = (byte[])typeof(SealingSlot).GetField("_bytes", System.Reflection.BindingFlags.NonPublic | System.Reflection.BindingFlags.Instance)!.GetValue(slot)!;
        Assert.That(buffer, Is.All.EqualTo((byte)0), "the randomness is gone");
    }

    [Test]
    public void A_pool_serves_each_slot_once_under_concurrency_then_seals_directly_when_empty()
    {
        using var pool = new SealingPool(_ceremony.BallotKey, 3, capacity: 40, fillInBackground: false);
        pool.Fill();
        Assert.That(pool.Available, Is.EqualTo(40));
        var context = SealingContext.ForQuestion(BallotId, 0);
        var answers = new SealedAnswer[48];
        Parallel.For(0, answers.Length, i => answers[i] = pool.Seal(context, i % 3));
        Assert.That(pool.Served, Is.EqualTo(40));
        Assert.That(pool.SealedDirectly, Is.EqualTo(8));
        Assert.That(pool.Available, Is.Zero);
        Assert.That(answers.Select(a => a.Options[0].A).Distinct().Count(), Is.EqualTo(48), "no randomness served twice");
        Assert.That(answers.Select(a => a.SumProof.Response).Distinct().Count(), Is.EqualTo(48));
        Assert.That(answers.All(a => a.Verify(_ceremony.BallotKey, context)), Is.True);
    }

    [Test]
    public void A_ballot_sealer_fills_in_the_background_and_seals_each_question_under_its_own_context()
    {
        using var sealer = new PaperSealer(BallotId, _ceremony.BallotKey, [3, 4, 3], slotsPerQuestion: 2);
        var deadline = DateTime.UtcNow.AddSeconds(30);
        while (sealer.Pools.Sum(p => p.Available) < 6 && DateTime.UtcNow < deadline) Thread.Sleep(20);
        Assert.That(sealer.Pools.Select(p => (p.OptionCount, p.Capacity)), Is.EquivalentTo(new[] { (3, 4), (4, 2) }));
        var paper = sealer.SealPaper([2, 0, 1]);
        for (var q = 0; q < 3; q++) Assert.That(paper[q].Verify(_ceremony.BallotKey, SealingContext.ForQuestion(BallotId, q)), Is.True);
        Assert.That(sealer.Pools.Sum(p => p.Served), Is.EqualTo(3), "sealed from slots the background thread made");
        Assert.That(SealedPaper.Decode(SealedPaper.Encode(paper)).Select(a => a.Options.Count), Is.EqualTo(new[] { 3, 4, 3 }));
    }

    [Test]
    public void Bench_progression_slots_seal_answers_that_verify()
    {
        var context = SealingContext.ForQuestion(BallotId, 0);
        var answers = SealingSlot.InsecureProgressionForBenchmarks(_ceremony.BallotKey, 3).Take(5).Select((s, i) => s.Seal(context, i % 3)).ToArray();
        Assert.That(answers.All(a => a.Verify(_ceremony.BallotKey, context)), Is.True);
        Assert.That(answers.Select(a => a.Tracker()).Distinct().Count(), Is.EqualTo(5));
    }
}
