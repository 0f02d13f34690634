using System.Text;
using System.Text.Json.Nodes;
using Ballot.Core.Sealing;

namespace Ballot.Tests.Sealing;

using Scalar = Ballot.Core.Sealing.Scalar;

public sealed class ShareFileTests
{
    private const string Passphrase = "the scrutineer's long passphrase";

    [Test]
    public void A_share_file_round_trips_and_keeps_no_secret_in_the_clear()
    {
        var ceremony = SealingKit.Run(5, 2, 2);
        var secrets = ceremony.Trustees[1].Export();
        var file = ShareFile.Write(secrets, Passphrase);
        var back = ShareFile.Read(file, Passphrase);

        Assert.That(back.Settings, Is.EqualTo(secrets.Settings));
        Assert.That(back.Trustee, Is.EqualTo(2));
        Assert.That(back.Share, Is.EqualTo(secrets.Share));
        Assert.That(back.TransportSecret, Is.EqualTo(secrets.TransportSecret));
        Assert.That(back.Key!.Fingerprint, Is.EqualTo(ceremony.Key.Fingerprint));
        Assert.That(back.Polynomial, Is.Null, "a finished trustee keeps no polynomial");

        var text = Encoding.UTF8.GetString(file);
        Assert.That(text, Does.Contain("\"version\":1").And.Contain("argon2id"));
        Assert.That(text, Does.Not.Contain(Convert.ToBase64String(secrets.Share!.Encode())));
        Assert.That(text, Does.Not.Contain(ceremony.Key.Fingerprint));
    }

    [Test]
    public void A_wrong_passphrase_or_an_altered_header_is_refused()
    {
        var secrets = Trustee.Create(new CeremonySettings(6, 2, 3), 1).Export();
        var file = ShareFile.Write(secrets, Passphrase);

        Assert.Throws<WrongPassphraseException>(() => ShareFile.Read(file, Passphrase + "!"));

        var cheaper = JsonNode.Parse(file)!;
        cheaper["iterations"] = 2;
        Assert.Throws<WrongPassphraseException>(() => ShareFile.Read(Encoding.UTF8.GetBytes(cheaper.ToJsonString()), Passphrase));

        var future = JsonNode.Parse(file)!;
        future["version"] = 2;
        Assert.Throws<FormatException>(() => ShareFile.Read(Encoding.UTF8.GetBytes(future.ToJsonString()), Passphrase));
        Assert.Throws<FormatException>(() => ShareFile.Read("not json"u8, Passphrase));
        Assert.Throws<ArgumentException>(() => ShareFile.Write(secrets, "short"));
    }

    [Test]
    public void A_trustee_restored_between_ceremony_steps_carries_on()
    {
        var settings = new CeremonySettings(7, 2, 3);
        var people = Enumerable.Range(1, 3).Select(i => Trustee.Create(settings, i)).ToArray();
        var announcements = people.Select(p => p.Announce()).ToArray();
        // Each step is a separate run of the trustee command: the state goes to the file and back in between.
        people = [.. people.Select(p => Trustee.Restore(ShareFile.Read(ShareFile.Write(p.Export(), Passphrase, SealingKit.CheapKdf), Passphrase)))];
        var messages = people.Select(p => p.Deal(announcements)).ToArray();
        var confirmations = people.Select(p => p.Finish(announcements, messages)).ToArray();

        var key = KeyCeremony.Combine(settings, messages);
        foreach (var c in confirmations) KeyCeremony.CheckConfirmation(settings, key, c);
        Assert.Throws<InvalidOperationException>(() => people[0].Deal(announcements), "a finished trustee cannot deal again");
    }
}
