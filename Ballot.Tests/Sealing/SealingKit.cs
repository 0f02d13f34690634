using Ballot.Core.Sealing;

namespace Ballot.Tests.Sealing;

// Scalar.AspNetCore (the API's reference page) owns the root namespace Scalar; the alias inside the namespace wins.
using Scalar = Ballot.Core.Sealing.Scalar;

internal sealed record Ceremony(
    CeremonySettings Settings, Trustee[] Trustees, TrusteeAnnouncement[] Announcements, DealerMessage[] Messages,
    TrusteeConfirmation[] Confirmations, JointKey Key)
{
    public BallotKey BallotKey { get; } = new(Key.PublicKey);
}

internal static class SealingKit
{
    public const int Yes = 0, No = 1, Spoiled = 2, Options = 3;

    // The default cost is tested in ShareFileTests; the other tests write several files and need not pay it each time.
    public static readonly ShareFile.KdfCost CheapKdf = new(1, 16 * 1024 * 1024);

    /// <summary>A whole ceremony in-process, each message through JSON as the server would relay it, checked as the server would check it.</summary>
    public static Ceremony Run(long ballotId, int threshold, int trustees)
    {
        var settings = new CeremonySettings(ballotId, threshold, trustees);
        var people = Enumerable.Range(1, trustees).Select(i => Trustee.Create(settings, i)).ToArray();
        var announcements = people.Select(p => Relay(p.Announce())).ToArray();
        foreach (var a in announcements) KeyCeremony.CheckAnnouncement(settings, a);
        var messages = people.Select(p => Relay(p.Deal(announcements))).ToArray();
        for (var i = 0; i < trustees; i++) KeyCeremony.CheckDealerMessage(settings, announcements[i], messages[i]);
        var confirmations = people.Select(p => Relay(p.Finish(announcements, messages))).ToArray();
        var key = KeyCeremony.Combine(settings, messages);
        foreach (var c in confirmations) KeyCeremony.CheckConfirmation(settings, key, c);
        return new Ceremony(settings, people, announcements, messages, confirmations, key);
    }

    public static T Relay<T>(T message) => SealingJson.Deserialize<T>(SealingJson.Serialize(message));

    public static Element Times(long m) => Group.Generator.Multiply(Scalar.From(m));

    /// <summary>Opens each sum with the given trustees and solves each total.</summary>
    public static long[] Count(Ceremony ceremony, byte[] context, IReadOnlyList<Ciphertext> sums, params Trustee[] counting)
    {
        var decryptions = counting.Select(t => Relay(t.Decrypt(context, sums))).ToArray();
        return ThresholdDecryption.Count(ceremony.Settings, context, ceremony.Key, sums, decryptions, 1000);
    }
}
