using Ballot.Core.Sealing;

namespace Ballot.Tests.Sealing;

/// <summary>The stored form of a cast paper: what the vote writes is what the count and the board read back.</summary>
public sealed class SealedPaperTests
{
    [Test]
    public void A_paper_reads_back_as_written_with_proofs_that_still_verify_and_the_same_tracker()
    {
        var ceremony = SealingKit.Run(9, threshold: 2, trustees: 3);
        SealedAnswer[] answers =
        [
            SealedAnswer.Seal(ceremony.BallotKey, SealingContext.ForQuestion(9, 0), 3, 1),
            SealedAnswer.Seal(ceremony.BallotKey, SealingContext.ForQuestion(9, 1), 4, 3),
        ];
        var bytes = SealedPaper.Encode(answers);
        Assert.That(bytes, Has.Length.EqualTo(SealedPaper.SizeOf([3, 4])));

        var back = SealedPaper.Decode(bytes);
        Assert.That(back.Select(a => a.Options.Count), Is.EqualTo(new[] { 3, 4 }));
        Assert.That(back[0].Verify(ceremony.BallotKey, SealingContext.ForQuestion(9, 0)), Is.True);
        Assert.That(back[1].Verify(ceremony.BallotKey, SealingContext.ForQuestion(9, 1)), Is.True);
        Assert.That(back[1].Verify(ceremony.BallotKey, SealingContext.ForQuestion(9, 0)), Is.False, "bound to its question");
        Assert.That(SealedPaper.Tracker(back), Is.EqualTo(SealedPaper.Tracker(answers)).And.Length.EqualTo(64));
        Assert.That(SealedPaper.Encode(back), Is.EqualTo(bytes));
    }

    [Test]
    public void A_cut_or_altered_paper_is_refused_or_no_longer_verifies()
    {
        var ceremony = SealingKit.Run(9, threshold: 1, trustees: 1);
        var bytes = SealedPaper.Encode([SealedAnswer.Seal(ceremony.BallotKey, SealingContext.ForQuestion(9, 0), 3, 0)]);
        Assert.Throws<FormatException>(() => SealedPaper.Decode(bytes.AsSpan(0, bytes.Length - 1)));
        Assert.Throws<FormatException>(() => SealedPaper.Decode([2, .. bytes.AsSpan(1)]));
        var altered = bytes.ToArray();
        altered[^1] ^= 1;
        Assert.That(SealedPaper.Decode(altered)[0].Verify(ceremony.BallotKey, SealingContext.ForQuestion(9, 0)), Is.False);
    }
}
