using System.Security.Cryptography;
using Ballot.Core.Sealing;

namespace Ballot.Tests.Sealing;

using Scalar = Ballot.Core.Sealing.Scalar;

/// <summary>A 2-of-3 ceremony in-process, a few hundred sealed answers, and the count by threshold decryption.</summary>
public sealed class CeremonyTests
{
    private const long BallotId = 17;
    private static readonly byte[] Context = SealingContext.ForQuestion(BallotId, 0);
    private Ceremony _ceremony = null!;
    private SealedAnswer[] _answers = null!;
    private Ciphertext[] _sums = null!;
    private readonly long[] _cast = new long[SealingKit.Options];

    [OneTimeSetUp]
    public void CastVotes()
    {
        _ceremony = SealingKit.Run(BallotId, threshold: 2, trustees: 3);
        var random = new Random(17);
        _answers = new SealedAnswer[300];
        for (var i = 0; i < _answers.Length; i++)
        {
            var choice = random.Next(10) switch { < 6 => SealingKit.Yes, < 9 => SealingKit.No, _ => SealingKit.Spoiled };
            _cast[choice]++;
            _answers[i] = SealedAnswer.Seal(_ceremony.BallotKey, Context, SealingKit.Options, choice);
        }
        _sums = [.. Enumerable.Range(0, SealingKit.Options).Select(o => Ciphertext.Sum(_answers.Select(a => a.Options[o])))];
    }

    [Test]
    public void Every_trustee_confirms_the_same_key_and_its_fingerprint_is_the_hash_of_the_key()
    {
        var key = _ceremony.Key;
        Assert.That(key.Fingerprint, Is.EqualTo(Convert.ToHexStringLower(SHA256.HashData(key.PublicKey.Encode()))));
        Assert.That(_ceremony.Confirmations.Select(c => c.Fingerprint), Is.All.EqualTo(key.Fingerprint));
        Assert.That(_ceremony.Trustees.Select(t => t.Key.PublicKey), Is.All.EqualTo(key.PublicKey));
        Assert.That(key.VerificationKeys.Distinct().Count(), Is.EqualTo(3));
        Assert.That(_answers.All(a => a.Verify(_ceremony.BallotKey, Context)), Is.True);
    }

    [TestCase(1, 2)]
    [TestCase(1, 3)]
    [TestCase(2, 3)]
    [TestCase(3, 1)]
    public void Any_two_of_three_trustees_count_the_votes_cast(int first, int second)
    {
        var t = _ceremony.Trustees;
        Assert.That(SealingKit.Count(_ceremony, Context, _sums, t[first - 1], t[second - 1]), Is.EqualTo(_cast));
        Assert.That(_cast.Sum(), Is.EqualTo(300));
    }

    [Test]
    public void All_three_trustees_count_the_same()
    {
        Assert.That(SealingKit.Count(_ceremony, Context, _sums, _ceremony.Trustees), Is.EqualTo(_cast));
    }

    [Test]
    public void One_trustee_alone_can_decrypt_neither_a_total_nor_a_vote()
    {
        var alone = _ceremony.Trustees[0];
        var decryption = alone.Decrypt(Context, _sums);
        var refusal = Assert.Throws<SealingException>(() =>
            ThresholdDecryption.Count(_ceremony.Settings, Context, _ceremony.Key, _sums, [decryption], 1000))!;
        Assert.That(refusal.Message, Does.Contain("needs 2 trustees; 1 answered"));

        // Its share used as if it were the key opens nothing: neither the totals nor one member's vote.
        var log = new DiscreteLog(1000);
        for (var o = 0; o < SealingKit.Options; o++)
        {
            var guess = _sums[o].B.Subtract(decryption.Shares[o]);
            Assert.That(guess, Is.Not.EqualTo(SealingKit.Times(_cast[o])));
            Assert.Throws<SealingException>(() => log.Solve(guess));
        }
        var vote = _answers[0].Options[SealingKit.Yes];
        var single = alone.Decrypt(Context, [vote]).Shares[0];
        var opened = vote.B.Subtract(single);
        Assert.That(opened, Is.Not.EqualTo(SealingKit.Times(0)).And.Not.EqualTo(SealingKit.Times(1)));
    }

    [Test]
    public void A_tampered_decryption_is_rejected_naming_its_trustee()
    {
        var t = _ceremony.Trustees;
        var honest = t[0].Decrypt(Context, _sums);
        var mine = SealingKit.Relay(t[1].Decrypt(Context, _sums));
        var (d, g) = (mine.Shares, Group.Generator.Value);
        Assert.That(ThresholdDecryption.Count(_ceremony.Settings, Context, _ceremony.Key, _sums, [honest, mine], 1000), Is.EqualTo(_cast));

        Assert.Multiple(() =>
        {
            RejectsTrustee2(mine with { Shares = [d[0], d[1].Add(g), d[2]] }, "a share shifted by one vote");
            RejectsTrustee2(mine with { Shares = [d[0].Add(g), d[1].Subtract(g), d[2]] }, "two shares shifted to cancel out");
            // Trustee 2 itself shifts two shares so that the shifts cancel in a plain sum, and proves over them with its
            // own share: only the random weights of the batch catch it.
            RejectsTrustee2(BatchDecryption.Prove(Context, 2, _ceremony.Key.VerificationKey(2), t[1].Export().Share!, _sums, [d[0].Add(g), d[1].Subtract(g), d[2]]),
                "two shifts that cancel, proved by the trustee");
            RejectsTrustee2(mine with { Shares = [d[0], d[2], d[1]] }, "two shares swapped");
            RejectsTrustee2(mine with { Proof = mine.Proof with { Challenge = mine.Proof.Challenge + Scalar.One } }, "wrong challenge");
            RejectsTrustee2(t[1].Decrypt(SealingContext.ForQuestion(BallotId + 1, 0), _sums), "a proof made for another ballot");
            RejectsTrustee2(t[2].Decrypt(Context, _sums) with { Trustee = 2 }, "trustee 3's decryption sent as trustee 2's");
        });

        void RejectsTrustee2(BoardDecryption tampered, string why)
        {
            var e = Assert.Throws<SealingException>(() =>
                ThresholdDecryption.Count(_ceremony.Settings, Context, _ceremony.Key, _sums, [honest, tampered], 1000), why)!;
            Assert.That(e.Trustee, Is.EqualTo(2), why);
            Assert.That(e.Message, Is.EqualTo("Trustee 2's decryption shares do not verify."), why);
        }
    }

    [Test]
    public void The_recovery_drill_counts_with_the_other_trustees_when_one_share_is_lost()
    {
        const string passphrase = "correct horse battery staple";
        var files = _ceremony.Trustees.Select(t => ShareFile.Write(t.Export(), passphrase + t.Index, SealingKit.CheapKdf)).ToArray();
        files[0] = null!; // trustee 1's laptop is lost with its file

        var restored = new[] { 2, 3 }.Select(i => Trustee.Restore(ShareFile.Read(files[i - 1], passphrase + i))).ToArray();

        Assert.That(restored.Select(t => t.Key.Fingerprint), Is.All.EqualTo(_ceremony.Key.Fingerprint));
        Assert.That(SealingKit.Count(_ceremony, Context, _sums, restored), Is.EqualTo(_cast));
    }

    [Test]
    public void A_ceremony_names_the_trustee_whose_message_is_bad()
    {
        var settings = new CeremonySettings(99, 2, 3);
        var people = Enumerable.Range(1, 3).Select(i => Trustee.Create(settings, i)).ToArray();
        var announcements = people.Select(p => p.Announce()).ToArray();
        var messages = people.Select(p => p.Deal(announcements)).ToArray();

        // Trustee 2 sends trustee 1 the share meant for trustee 3: it is bound to its recipient, so it does not open.
        var shares = messages[1].Shares.ToArray();
        var redirected = messages[1] with { Shares = [shares[1] with { Recipient = 1 }, shares[0] with { Recipient = 3 }] };
        AssertNames(2, () => people[0].Finish(announcements, [messages[0], redirected, messages[2]]));

        // Trustee 3 deals commitments other than those it announced.
        var swapped = messages[2] with { Commitments = [.. messages[2].Commitments.Reverse()] };
        AssertNames(3, () => people[0].Finish(announcements, [messages[0], messages[1], swapped]));

        // A transport key whose proof was made for another ballot.
        var foreign = Trustee.Create(new CeremonySettings(100, 2, 3), 2).Announce();
        AssertNames(2, () => KeyCeremony.CheckAnnouncement(settings, foreign));

        // A confirmation for another key.
        var confirmations = people.Select(p => p.Finish(announcements, messages)).ToArray();
        var key = KeyCeremony.Combine(settings, messages);
        AssertNames(1, () => KeyCeremony.CheckConfirmation(settings, key, confirmations[0] with { Fingerprint = _ceremony.Key.Fingerprint }));
        AssertNames(3, () => KeyCeremony.CheckConfirmation(settings, key, confirmations[2] with { Trustee = 3, ShareProof = confirmations[1].ShareProof }));
        Assert.Throws<SealingException>(() => KeyCeremony.Combine(settings, [messages[0], messages[1]]), "every trustee must deal");
    }

    private static void AssertNames(int trustee, TestDelegate step)
    {
        var e = Assert.Throws<SealingException>(step)!;
        Assert.That(e.Trustee, Is.EqualTo(trustee), e.Message);
    }
}
