using Ballot.Core.Data;
using Ballot.Core.Mail;
using Dapper;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using MimeKit;

namespace Ballot.Core.Ballots.Notices;

/// <summary>
/// The worker's job for notices to employers: draws each queued notice as a PDF, emails it to the employer's contact
/// address through the letter transport (SMTP or the pickup folder), and records the notice as given when it was sent.
/// Safe to run twice: a letter is claimed with a lease before it is sent, as staff letters are.
/// </summary>
public sealed class EmployerLetters(Db db, TimeProvider clock, IOptions<MailOptions> mail, IOptions<SmtpOptions> smtp, ILogger<EmployerLetters> log)
{
    private const int MaxAttempts = 5;
    private static readonly TimeSpan Lease = TimeSpan.FromMinutes(5);

    private sealed class Due
    {
        public long Id { get; init; }
        public long BallotId { get; init; }
        public string Employer { get; init; } = "";
        public string Kind { get; init; } = "";
        public string Email { get; init; } = "";
        public string SentBy { get; init; } = "";
        public int Attempts { get; init; }
    }

    public async Task<int> SendDueAsync(CancellationToken ct)
    {
        var now = clock.GetUtcNow();
        List<Due> due;
        await using (var conn = await db.OpenAsync(ct))
            due = (await conn.QueryAsync<Due>("""
                SELECT id, ballot_id AS BallotId, employer, kind, email, sent_by AS SentBy, attempts
                FROM employer_letter WHERE state = 'pending' AND next_at <= @now ORDER BY id LIMIT 100
                """, new { now })).AsList();
        if (due.Count == 0) return 0;
        var sent = 0;
        var m = mail.Value;
        await using var transport = await LetterTransports.OpenAsync(smtp.Value, m, ct);
        foreach (var letter in due)
        {
            byte[] pdf;
            string title;
            await using (var conn = await db.OpenAsync(ct))
            await using (var tx = await db.BeginWriteAsync(conn, ct))
            {
                var claimed = await conn.ExecuteAsync(
                    "UPDATE employer_letter SET attempts = attempts + 1, next_at = @lease WHERE id = @Id AND state = 'pending' AND next_at <= @now",
                    new { letter.Id, now, lease = now + Lease }, tx);
                if (claimed == 0) continue;
                await tx.CommitAsync(ct);
            }
            string? error = null;
            try
            {
                await using (var conn = await db.OpenAsync(ct))
                {
                    title = await conn.ExecuteScalarAsync<string>("SELECT title FROM ballot WHERE id = @BallotId", new { letter.BallotId }) ?? "";
                    pdf = await GetNoticePdf.RenderAsync(conn, letter.BallotId, letter.Employer, letter.Kind, clock.GetUtcNow(), m.UnionName);
                }
                await transport.SendAsync(Compose(letter, title, pdf), -letter.Id, SendJournal.None, ct);
            }
            catch (Exception e) when (e is not OperationCanceledException)
            {
                error = e.Message;
                log.LogWarning(e, "Notice letter {LetterId} to {Employer} for ballot {BallotId} failed", letter.Id, letter.Employer, letter.BallotId);
            }
            var at = clock.GetUtcNow();
            await using (var conn = await db.OpenAsync(ct))
            await using (var tx = await db.BeginWriteAsync(conn, ct))
            {
                if (error is null)
                {
                    await conn.ExecuteAsync("UPDATE employer_letter SET state = 'sent', sent_at = @at, last_error = NULL WHERE id = @Id", new { letter.Id, at }, tx);
                    await GiveNotice.RecordAsync(conn, tx, letter.BallotId, letter.Employer, letter.Kind, "emailed", at, letter.Email, letter.SentBy, at, null);
                    sent++;
                }
                else
                    await conn.ExecuteAsync("UPDATE employer_letter SET state = @state, last_error = @error, next_at = @retryAt WHERE id = @Id",
                        new { letter.Id, error, retryAt = at.AddMinutes(Math.Pow(2, letter.Attempts)), state = letter.Attempts + 1 >= MaxAttempts ? "failed" : "pending" }, tx);
                await tx.CommitAsync(ct);
            }
        }
        return sent;
    }

    private MimeMessage Compose(Due letter, string ballotTitle, byte[] pdf)
    {
        var m = mail.Value;
        var what = NoticeKinds.Describe(letter.Kind);
        var message = new MimeMessage();
        message.From.Add(new MailboxAddress(m.SenderName, m.FromAddress));
        message.To.Add(new MailboxAddress(letter.Employer, letter.Email));
        message.Subject = $"{char.ToUpperInvariant(what[0])}{what[1..]}: {ballotTitle}";
        message.MessageId = $"employer{letter.Id}.{Guid.NewGuid():N}@{m.Domain}";
        message.Date = clock.GetUtcNow();
        var body = new BodyBuilder
        {
            TextBody = $"""
                To {letter.Employer},

                Attached is the {what} for the ballot "{ballotTitle}", from {m.UnionName}.

                {m.UnionName}
                """,
        };
        body.Attachments.Add($"{letter.Kind}.pdf", pdf, new ContentType("application", "pdf"));
        message.Body = body.ToMessageBody();
        return message;
    }
}
