using System.Net.Sockets;
using MailKit;
using MailKit.Net.Smtp;
using Microsoft.Extensions.Logging;
using MimeKit;

namespace Ballot.Core.Mail.Sending;

/// <summary>
/// One connection loop's transport: opened on first use (with back-off) and again after it breaks. Sending through it
/// sorts what became of the letter: sent, refused for good (5xx), to retry (4xx, or the session broke before the
/// end-of-data dot), or sent although the session broke after the dot.
/// </summary>
public sealed class LetterSession(SmtpOptions smtp, MailOptions mail, SendRun run, int index, ILogger log) : IAsyncDisposable
{
    private ILetterTransport? _transport;

    public async Task<LetterOutcome> SendAsync(MimeMessage message, ClaimedLetter letter, CancellationToken ct)
    {
        var transport = _transport ??= await OpenAsync(ct);
        try
        {
            await transport.SendAsync(message, letter.RecipientId, run.Journal, ct);
            return new(letter, LetterResult.Sent);
        }
        catch (SmtpCommandException e)
        {
            run.Journal.Refused(letter.RecipientId);
            var outcome = new LetterOutcome(letter, (int)e.StatusCode >= 500 ? LetterResult.Failed : LetterResult.Retry, $"{(int)e.StatusCode} {e.Message}");
            if (!transport.IsConnected) await DisposeAsync();
            return outcome;
        }
        catch (Exception e) when (IsConnectionError(e))
        {
            // The server takes a complete DATA, so a letter whose end-of-data dot was written counts as sent; one that
            // was not goes again with the next session.
            var outcome = transport.HandedOver(letter.RecipientId)
                ? new LetterOutcome(letter, LetterResult.Sent)
                : new LetterOutcome(letter, LetterResult.Retry, "Connection lost: " + e.Message);
            log.LogWarning("Mailing {MailingId}: connection {Index} lost ({Error}); reconnecting", run.Mailing.Id, index, e.Message);
            await DisposeAsync();
            return outcome;
        }
    }

    public async ValueTask DisposeAsync()
    {
        if (_transport is not { } t) return;
        _transport = null;
        await t.DisposeAsync();
    }

    private static bool IsConnectionError(Exception e) =>
        e is IOException or SocketException or SmtpProtocolException or ServiceNotConnectedException or TimeoutException
        || e is OperationCanceledException { InnerException: TimeoutException };

    /// <summary>Opens a session, retrying with back-off (0.5 s doubling) before giving up and letting the job fail.</summary>
    private async Task<ILetterTransport> OpenAsync(CancellationToken ct)
    {
        var delay = TimeSpan.FromMilliseconds(500);
        for (var attempt = 1; ; attempt++)
        {
            try
            {
                return await LetterTransports.OpenAsync(smtp, mail, ct);
            }
            catch (Exception e) when ((IsConnectionError(e) || e is SmtpCommandException) && attempt < 6 && !run.Stop)
            {
                log.LogWarning("Mailing {MailingId}: cannot open an SMTP session to {Host}:{Port} ({Error}); retrying in {Delay} s",
                    run.Mailing.Id, smtp.Host, smtp.Port, e.Message, delay.TotalSeconds);
                await Task.Delay(delay, ct);
                delay *= 2;
            }
        }
    }
}
