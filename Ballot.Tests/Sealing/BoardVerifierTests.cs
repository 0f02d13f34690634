using Ballot.Core.Sealing;

namespace Ballot.Tests.Sealing;

/// <summary>The verifier (ADR 0906) passes an honest board and names the first thing wrong with a tampered one.</summary>
public sealed class BoardVerifierTests
{
    private BoardFixture _fixture = null!;
    private Board Board => _fixture.Board;

    [OneTimeSetUp]
    public void CloseBallot() => _fixture = BoardKit.Closed(31, papers: 24);

    [Test]
    public void An_honest_board_verifies_with_its_totals_recomputed_and_the_count_matches_the_votes_cast()
    {
        var verdict = BoardVerifier.Verify(Board);
        Assert.That(verdict.Valid, Is.True, verdict.Message);
        Assert.That(verdict.Counted, Is.True);
        Assert.That(verdict.Message, Does.StartWith("valid"));
        Assert.That(Board.Totals.SelectMany(t => t.Options).Sum(), Is.EqualTo(2 * 24));
        Assert.That(Board.Totals.Where(t => t.Constituency == "north").SelectMany(t => t.Options), Is.All.Zero, "an empty constituency sums to zero");

        var uncounted = BoardKit.Closed(32, papers: 3, decrypted: false).Board;
        var pending = BoardVerifier.Verify(uncounted);
        Assert.That(pending.Valid, Is.True, pending.Message);
        Assert.That(pending.Counted, Is.False);
        Assert.That(pending.Message, Does.Contain("not counted yet"));
    }

    [Test]
    public void The_fast_count_agrees_with_combining_for_every_pair_of_trustees()
    {
        var sums = Board.Sums.SelectMany(s => s.Options).ToArray();
        var context = SealingContext.ForBallot(Board.BallotId);
        var expected = Board.Totals.SelectMany(t => t.Options).ToArray();
        foreach (var (a, b) in new[] { (1, 2), (1, 3), (2, 3), (3, 1) })
        {
            var decryptions = new[] { a, b }.Select(i => _fixture.Ceremony.Trustees[i - 1].Decrypt(context, sums)).ToArray();
            Assert.That(ThresholdDecryption.Count(_fixture.Ceremony.Settings, context, Board.Key!, sums, decryptions, 24), Is.EqualTo(expected), $"trustees {a} and {b}");
        }
        Assert.That(ThresholdDecryption.IntegerLagrange([1, 3]), Is.EqualTo((new long[] { 3, -1 }, 2L)));
        var alone = new[] { _fixture.Ceremony.Trustees[0].Decrypt(context, sums) };
        Assert.That(() => ThresholdDecryption.Count(_fixture.Ceremony.Settings, context, Board.Key!, sums, alone, 24),
            Throws.TypeOf<SealingException>().With.Message.Contains("needs 2 trustees"));
    }

    [Test]
    public void A_tampered_ciphertext_fails_naming_its_paper()
    {
        var papers = Board.Papers.ToList();
        var victim = papers[5];
        var options = victim.Answers[1].Options.ToArray();
        options[0] = papers[6].Answers[1].Options[0];
        var answers = new[] { victim.Answers[0], victim.Answers[1] with { Options = options } };
        papers[5] = new BoardPaper(SealedPaper.Tracker(answers), victim.Constituency, answers);
        var verdict = BoardVerifier.Verify(Board with { Papers = papers });
        Assert.That(verdict.Valid, Is.False);
        Assert.That(verdict.Message, Does.StartWith($"Paper 5 (tracker {papers[5].Tracker})").And.Contains("question 1 do not verify"));
    }

    [Test]
    public void A_tampered_or_repeated_tracker_fails_naming_its_paper()
    {
        var papers = Board.Papers.ToList();
        papers[7] = papers[7] with { Tracker = new string('0', 64) };
        var verdict = BoardVerifier.Verify(Board with { Papers = papers });
        Assert.That(verdict.Valid, Is.False);
        Assert.That(verdict.Message, Is.EqualTo($"Paper 7 (tracker {new string('0', 64)}): its tracker is not the hash of its ciphertexts."));

        var repeated = Board.Papers.Append(Board.Papers[2]).ToList();
        var twice = BoardVerifier.Verify(Board with { Papers = repeated });
        Assert.That(twice.Message, Is.EqualTo($"Paper 24: tracker {Board.Papers[2].Tracker} appears twice on the board."));
    }

    [Test]
    public void A_tampered_decryption_share_fails_naming_its_trustee()
    {
        var decryptions = Board.Decryptions.ToList();
        var shares = decryptions[1].Shares.ToArray();
        shares[4] = shares[4].Add(Group.Generator.Value);
        decryptions[1] = decryptions[1] with { Shares = shares };
        var verdict = BoardVerifier.Verify(Board with { Decryptions = decryptions });
        Assert.That(verdict.Valid, Is.False);
        Assert.That(verdict.Message, Is.EqualTo("Trustee 3's decryption shares do not verify."));
    }

    [Test]
    public void Each_part_checks_its_own_papers_proofs_so_a_tampered_proof_is_named_by_its_part_only()
    {
        // Paper 5's sum proof is bent: its ciphertexts, tracker and the sums stay right, so only checking its proofs finds it.
        var papers = Board.Papers.ToList();
        var answer = papers[5].Answers[0];
        papers[5] = papers[5] with { Answers = [answer with { SumProof = answer.SumProof with { Response = answer.SumProof.Response + Ballot.Core.Sealing.Scalar.One } }, papers[5].Answers[1]] };
        var tampered = Board with { Papers = papers };

        var mine = BoardVerifier.Verify(tampered, new BoardPart(2, 2));   // papers 1, 3, 5, …
        Assert.That(mine.Valid, Is.False);
        Assert.That(mine.Message, Is.EqualTo($"Paper 5 (tracker {papers[5].Tracker}): the proofs of its answer to question 0 do not verify."));
        var other = BoardVerifier.Verify(tampered, new BoardPart(1, 2));  // papers 0, 2, 4, …
        Assert.That(other.Valid, Is.True, other.Message);
        Assert.That(other.Message, Is.EqualTo("valid (part 1 of 2): 12 of 24 papers' proofs checked (the others are not in this part; every paper summed), "
            + "21 sums, 2 trustees' decryption shares, totals recomputed"));
        Assert.That(BoardVerifier.Verify(tampered, new BoardPart(3, 4)).Message, Does.StartWith("valid (part 3 of 4): 6 of 24 papers"));
        Assert.That(BoardVerifier.Verify(tampered, new BoardPart(2, 4)).Message, Does.StartWith("Paper 5 "));
        Assert.That((BoardPart.Parse("2/3"), BoardPart.Parse("0/2"), BoardPart.Parse("3/2"), BoardPart.Parse("1/0"), BoardPart.Parse("x")),
            Is.EqualTo((new BoardPart(2, 3), (BoardPart?)null, (BoardPart?)null, (BoardPart?)null, (BoardPart?)null)));
    }

    [Test]
    public void Swapped_sums_or_a_wrong_total_fail_naming_the_sum()
    {
        var sums = Board.Sums.ToList();
        var options = sums[0].Options.ToArray();
        (options[0], options[1]) = (options[1], options[0]);
        sums[0] = sums[0] with { Options = options };
        var verdict = BoardVerifier.Verify(Board with { Sums = sums });
        Assert.That(verdict.Valid, Is.False);
        Assert.That(verdict.Message, Is.EqualTo("The sum of constituency \"east\", question 0, option 0 (Yes) is not the sum of its papers."));

        var totals = Board.Totals.ToList();
        var counts = totals[4].Options.ToArray();
        counts[0]++;
        totals[4] = totals[4] with { Options = counts };
        var wrong = BoardVerifier.Verify(Board with { Totals = totals });
        Assert.That(wrong.Valid, Is.False);
        Assert.That(wrong.Message, Is.EqualTo($"The total of constituency \"west\", question 0, option 0 (Yes) is {counts[0] - 1}, not {counts[0]} as the board says."));
    }

    [Test]
    public void A_board_whose_key_is_not_the_ceremonys_fails()
    {
        var other = SealingKit.Run(31, threshold: 2, trustees: 3).Key;
        var verdict = BoardVerifier.Verify(Board with { Key = other });
        Assert.That(verdict.Message, Is.EqualTo("The board's ballot key is not the one the trustees' dealings make."));
    }
}

/// <summary>The batched decryption of ADR 0908: one proof per trustee; a single wrong share fails it.</summary>
public sealed class BatchDecryptionTests
{
    [Test]
    public void One_proof_covers_every_share_and_a_single_wrong_share_or_another_trustees_proof_fails_it()
    {
        var fixture = BoardKit.Closed(33, papers: 6, decrypted: false);
        var sums = fixture.Board.Sums.SelectMany(s => s.Options).ToArray();
        var context = SealingContext.ForBallot(33);
        var key = fixture.Board.Key!;
        var batch = SealingKit.Relay(fixture.Ceremony.Trustees[1].Decrypt(context, sums));
        Assert.That(BatchDecryption.Verify(context, key, sums, batch), Is.True);
        Assert.That(batch.Shares.Where((_, k) => sums[k].A.IsIdentity), Is.Not.Empty.And.All.EqualTo(Element.Identity), "an empty constituency's shares");
        Assert.That(SealingJson.Serialize(batch), Does.Contain($"\"shares\":\"{Convert.ToBase64String(Element.EncodeAffineAll(batch.Shares))}\""));
        var shares = batch.Shares.ToArray();
        shares[9] = shares[9].Add(Group.Generator.Value);
        Assert.That(BatchDecryption.Verify(context, key, sums, batch with { Shares = shares }), Is.False);
        Assert.That(BatchDecryption.Verify(context, key, sums, batch with { Trustee = 3 }), Is.False);
        Assert.That(BatchDecryption.Verify(SealingContext.ForBallot(34), key, sums, batch), Is.False);
        Assert.That(BatchDecryption.Verify(context, key, sums, batch, window: 4), Is.True, "any window gives the same sums");
        Assert.That((BatchDecryption.WindowFor(175_000), BatchDecryption.WindowFor(17_500)), Is.EqualTo((11, 10)));
    }

    [Test]
    public void The_bucket_multi_scalar_multiplication_equals_the_plain_sum_of_products()
    {
        var random = new Random(5);
        foreach (var n in new[] { 1, 7, 300 })
        {
            var points = Enumerable.Range(0, n).Select(i => i == 3 ? Element.Identity : SealingKit.Times(random.Next(1, 1 << 30))).ToArray();
            var weights = points.Select(_ => new UInt128((ulong)random.NextInt64(), (ulong)random.NextInt64())).ToArray();
            var expected = points.Zip(weights).Aggregate(Element.Identity,
                (sum, pw) => sum.Add(pw.First.Multiply(Weight(pw.Second))));
            Assert.That(BatchDecryption.MultiplyAll([.. Element.Normalized(points)], weights, BatchDecryption.WindowFor(n)), Is.EqualTo(expected), $"{n} points");
        }
    }

    private static Ballot.Core.Sealing.Scalar Weight(UInt128 w)
    {
        var bytes = new byte[32];
        System.Buffers.Binary.BinaryPrimitives.WriteUInt128BigEndian(bytes.AsSpan(16), w);
        return Ballot.Core.Sealing.Scalar.Decode(bytes);
    }
}
