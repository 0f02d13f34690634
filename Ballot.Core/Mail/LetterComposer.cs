using MimeKit;
using MimeKit.Cryptography;
using Microsoft.Extensions.Options;

namespace Ballot.Core.Mail;

/// <summary>The mailing fields a letter needs, loaded once per sender run.</summary>
public sealed class MailingToSend
{
    public long Id { get; init; }
    public string Kind { get; init; } = "campaign";
    public string? Source { get; init; }
    public long? SourceId { get; init; }
    public string Subject { get; init; } = "";
    public string BodyMarkdown { get; init; } = "";
    public string? ReplyTo { get; init; }
    public string Status { get; init; } = "";
    public long? TestOf { get; init; }

    public bool IsCampaign => Kind == "campaign";
}

/// <summary>
/// Turns a mailing and one recipient into a MIME letter: text and HTML alternatives, the union in the footer, a stable
/// Message-ID, and for campaign mail the personal unsubscribe link with List-Unsubscribe and RFC 8058 one-click.
/// </summary>
public sealed class LetterComposer
{
    private readonly MailOptions _mail;
    private readonly MailKeys _keys;
    private readonly Dictionary<string, ILetterFields> _fields;
    private readonly DkimSigner? _dkim;
    private static readonly HeaderId[] DkimHeaders =
        [HeaderId.From, HeaderId.To, HeaderId.Subject, HeaderId.Date, HeaderId.MessageId, HeaderId.ReplyTo];

    public LetterComposer(IOptions<MailOptions> mail, MailKeys keys, IEnumerable<ILetterFields> fields)
    {
        _mail = mail.Value;
        _keys = keys;
        _fields = fields.GroupBy(f => f.Source).ToDictionary(g => g.Key, g => g.Last());
        if (!string.IsNullOrWhiteSpace(_mail.DkimPrivateKeyFile))
            _dkim = new DkimSigner(_mail.DkimPrivateKeyFile, _mail.DkimDomain!, _mail.DkimSelector!)
            {
                HeaderCanonicalizationAlgorithm = DkimCanonicalizationAlgorithm.Relaxed,
                BodyCanonicalizationAlgorithm = DkimCanonicalizationAlgorithm.Relaxed,
            };
    }

    public MailOptions Options => _mail;

    public string UnsubscribeUrl(long memberId) =>
        _mail.PublicBaseUrl.TrimEnd('/') + "/unsubscribe/" + _keys.UnsubscribeToken(memberId);

    /// <summary>
    /// The link a sample letter (a preview, a test copy) carries instead of the member's own: it unsubscribes nobody,
    /// so whoever reads a proof cannot stop a real member's mail.
    /// </summary>
    public string SampleUnsubscribeUrl => _mail.PublicBaseUrl.TrimEnd('/') + "/unsubscribe/sample-letter";

    /// <summary>
    /// Renders without building MIME. A sample (a preview, or a test copy: <see cref="MailingToSend.TestOf"/>) is
    /// rendered for a member's register fields only: no source's fields (a voting link) and no personal unsubscribe link.
    /// </summary>
    public RenderedLetter Render(MailingToSend mailing, LetterTemplate template, LetterRecipient r, bool sample = false)
    {
        sample |= mailing.TestOf is not null;
        var unsubscribe = !mailing.IsCampaign ? null : sample ? SampleUnsubscribeUrl : UnsubscribeUrl(r.MemberId);
        IReadOnlyDictionary<string, object?>? extra = null;
        if (!sample && mailing.Source is { } source && mailing.SourceId is { } sourceId && _fields.TryGetValue(source, out var provider))
            extra = provider.FieldsFor(sourceId, r.MemberId);
        return template.Render(r, _mail, unsubscribe, extra);
    }

    public MimeMessage Compose(MailingToSend mailing, LetterTemplate template, LetterRecipient r, long recipientId, DateTimeOffset now, string subjectPrefix = "")
    {
        var letter = Render(mailing, template, r);
        var message = new MimeMessage();
        message.From.Add(new MailboxAddress(_mail.SenderName, _mail.FromAddress));
        var name = string.Join(' ', new[] { r.FirstName, r.LastName }.Where(x => !string.IsNullOrWhiteSpace(x)));
        message.To.Add(new MailboxAddress(name, r.Email));
        if (!string.IsNullOrWhiteSpace(mailing.ReplyTo)) message.ReplyTo.Add(MailboxAddress.Parse(mailing.ReplyTo));
        message.Subject = subjectPrefix + letter.Subject;
        message.Date = now;
        message.MessageId = _keys.MessageId(mailing.Id, recipientId, _mail.Domain);
        if (mailing.IsCampaign)
        {
            var url = mailing.TestOf is null ? UnsubscribeUrl(r.MemberId) : SampleUnsubscribeUrl;
            message.Headers.Add("List-Unsubscribe", "<" + url + ">");
            message.Headers.Add(HeaderId.ListUnsubscribePost, "List-Unsubscribe=One-Click");
        }
        var body = new MultipartAlternative
        {
            new TextPart("plain") { Text = letter.Text },
            new TextPart("html") { Text = letter.Html },
        };
        message.Body = body;
        if (_dkim is not null)
        {
            var headers = mailing.IsCampaign ? [.. DkimHeaders, HeaderId.ListUnsubscribe, HeaderId.ListUnsubscribePost] : DkimHeaders;
            message.Prepare(EncodingConstraint.SevenBit);
            _dkim.Sign(message, headers);
        }
        return message;
    }
}
