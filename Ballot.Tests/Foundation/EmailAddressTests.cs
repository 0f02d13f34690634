using Ballot.Core.Common;

namespace Ballot.Tests.Foundation;

public sealed class EmailAddressTests
{
    /// <summary>The fast path for plain addresses must never accept what MimeKit (which builds every letter) refuses.</summary>
    [TestCase("alice@example.org")]
    [TestCase("alice.archer+ballot@mail.example.co.uk")]
    [TestCase("o_neil-2@school-7.example.org")]
    [TestCase("a..b@example.org")]
    [TestCase(".a@example.org")]
    [TestCase("a@example..org")]
    [TestCase("a[b@example.org")]
    [TestCase("x:y@example.org")]
    [TestCase("o'neil@example.org")]
    public void The_plain_address_fast_path_agrees_with_MimeKit(string address)
    {
        var mimeKit = MimeKit.MailboxAddress.TryParse(address, out var parsed) && parsed.Address == address;
        if (EmailAddress.IsPlainDotAtom(address))
            Assert.That(mimeKit, Is.True, "a plain address MimeKit refuses");
        Assert.That(EmailAddress.IsValid(address), Is.EqualTo(mimeKit && address.Contains('.') && !address.EndsWith('.')));
    }
}
