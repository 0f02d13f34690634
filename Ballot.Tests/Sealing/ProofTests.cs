using Ballot.Core.Sealing;

namespace Ballot.Tests.Sealing;

using Scalar = Ballot.Core.Sealing.Scalar;

public sealed class ProofTests
{
    private const long BallotId = 41;
    private static readonly byte[] Context = SealingContext.ForQuestion(BallotId, 0);
    private static readonly byte[] OtherBallot = SealingContext.ForQuestion(BallotId + 1, 0);
    private static readonly BallotKey Key = new(Group.Generator.Multiply(Scalar.Random()));

    [Test]
    public void A_Schnorr_proof_verifies_and_fails_when_any_part_changes()
    {
        var x = Scalar.Random();
        var y = Group.Generator.Multiply(x);
        var proof = SchnorrProof.Create(new Transcript("test", Context), y, x);

        Assert.That(proof.Verify(new Transcript("test", Context), y), Is.True);
        Assert.That(SealingKit.Relay(proof).Verify(new Transcript("test", Context), y), Is.True);
        Assert.That((proof with { Challenge = proof.Challenge + Scalar.One }).Verify(new Transcript("test", Context), y), Is.False, "wrong challenge");
        Assert.That((proof with { Response = proof.Response + Scalar.One }).Verify(new Transcript("test", Context), y), Is.False, "wrong response");
        Assert.That(proof.Verify(new Transcript("test", OtherBallot), y), Is.False, "other ballot");
        Assert.That(proof.Verify(new Transcript("other-label", Context), y), Is.False, "other label");
        Assert.That(proof.Verify(new Transcript("test", Context), y.Add(Group.Generator.Value)), Is.False, "other key");
        Assert.That(SchnorrProof.Create(new Transcript("test", Context), y, x + Scalar.One).Verify(new Transcript("test", Context), y), Is.False, "a prover without the secret");
    }

    [Test]
    public void A_sealed_answer_verifies_and_its_tracker_is_the_hash_of_its_ciphertexts()
    {
        var answer = SealedAnswer.Seal(Key, Context, SealingKit.Options, SealingKit.No);

        Assert.That(answer.Options, Has.Count.EqualTo(3));
        Assert.That(answer.Verify(Key, Context), Is.True);
        Assert.That(SealingKit.Relay(answer).Verify(Key, Context), Is.True);
        Assert.That(answer.Tracker(), Has.Length.EqualTo(64));
        Assert.That(SealingKit.Relay(answer).Tracker(), Is.EqualTo(answer.Tracker()));
        Assert.That(SealedAnswer.Seal(Key, Context, 3, SealingKit.No).Tracker(), Is.Not.EqualTo(answer.Tracker()));
    }

    [Test]
    public void A_sealed_answer_fails_when_any_element_is_tampered_with()
    {
        var answer = SealedAnswer.Seal(Key, Context, SealingKit.Options, SealingKit.Yes);
        var options = answer.Options.ToArray();
        var proofs = answer.OptionProofs.ToArray();
        var otherKey = new BallotKey(Group.Generator.Multiply(Scalar.Random()));

        Assert.Multiple(() =>
        {
            Assert.That(answer.Verify(Key, OtherBallot), Is.False, "other ballot id");
            Assert.That(answer.Verify(otherKey, Context), Is.False, "other ballot key");
            Assert.That((answer with { Options = [options[1], options[0], options[2]] }).Verify(Key, Context), Is.False, "swapped ciphertexts");
            Assert.That((answer with { Options = [options[0], options[1], options[2], options[2]], OptionProofs = [.. proofs, proofs[2]] }).Verify(Key, Context), Is.False, "an option added");
            Assert.That(Tampered(answer, 0, p => p with { Challenge0 = p.Challenge0 + Scalar.One }).Verify(Key, Context), Is.False, "wrong challenge");
            Assert.That(Tampered(answer, 1, p => p with { Response1 = p.Response1 + Scalar.One }).Verify(Key, Context), Is.False, "wrong response");
            Assert.That((answer with { SumProof = answer.SumProof with { Challenge = answer.SumProof.Challenge + Scalar.One } }).Verify(Key, Context), Is.False, "wrong sum challenge");
            var shifted = options[2] with { B = options[2].B.Add(Group.Generator.Value) };
            Assert.That((answer with { Options = [options[0], options[1], shifted] }).Verify(Key, Context), Is.False, "a ciphertext changed");
        });
    }

    [Test]
    public void An_answer_that_chooses_two_options_or_encrypts_two_is_refused()
    {
        var first = SealedAnswer.Seal(Key, Context, SealingKit.Options, SealingKit.Yes);
        var second = SealedAnswer.Seal(Key, Context, SealingKit.Options, SealingKit.No);
        // Each option's own proof holds, but together they hold 2: only the sum proof can catch it.
        var both = first with { Options = [first.Options[0], second.Options[1], first.Options[2]], OptionProofs = [first.OptionProofs[0], second.OptionProofs[1], first.OptionProofs[2]] };
        Assert.That(both.OptionProofs[1].Verify(new Transcript(SealedAnswer.OptionLabel, Context).Append(1), Key, both.Options[1]), Is.True);
        Assert.That(both.Verify(Key, Context), Is.False);

        var r = Scalar.Random();
        var two = Key.Encrypt(2, r);
        var lie = ZeroOrOneProof.Create(new Transcript(SealedAnswer.OptionLabel, Context).Append(0), Key, two, 1, r);
        Assert.That(lie.Verify(new Transcript(SealedAnswer.OptionLabel, Context).Append(0), Key, two), Is.False);
        Assert.Throws<ArgumentOutOfRangeException>(() => ZeroOrOneProof.Create(new Transcript("x", Context), Key, two, 2, r));
        Assert.Throws<ArgumentOutOfRangeException>(() => SealedAnswer.Seal(Key, Context, 3, 3));
    }

    private static SealedAnswer Tampered(SealedAnswer answer, int option, Func<ZeroOrOneProof, ZeroOrOneProof> change)
    {
        var proofs = answer.OptionProofs.ToArray();
        proofs[option] = change(proofs[option]);
        return answer with { OptionProofs = proofs };
    }
}
