using System.Data.Common;
using Ballot.Core.Common;
using Ballot.Core.Data;
using Ballot.Core.Mail;
using Dapper;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using MimeKit;

namespace Ballot.Core.Staff.Accounts;

/// <summary>
/// Letters to staff: an invitation, or a new set-up link after the authenticator was reset. The API queues a row; the
/// worker's job (<see cref="SendDueAsync"/>) mints a fresh one-time link for each letter as it sends it, through the
/// same transport as every other letter (SMTP, or the pickup folder). Safe to run twice: a letter sent again carries a
/// new link and the earlier one stops working (ADR 0501).
/// </summary>
public sealed class StaffLetters(Db db, TimeProvider clock, IOptions<MailOptions> mail, IOptions<SmtpOptions> smtp,
    IOptions<StaffAccountOptions> staff, UnionTime time, ILogger<StaffLetters> log)
{
    public const string Invitation = "invitation";
    public const string SetUp = "set-up";
    private const int MaxAttempts = 5;
    private static readonly TimeSpan Lease = TimeSpan.FromMinutes(5);

    public static async Task QueueAsync(DbConnection conn, DbTransaction? tx, long accountId, string kind, Actor actor, DateTimeOffset now)
    {
        await conn.ExecuteAsync("UPDATE staff_letter SET state = 'cancelled' WHERE account_id = @accountId AND state = 'pending'", new { accountId }, tx);
        await conn.ExecuteAsync("""
            INSERT INTO staff_letter (account_id, kind, sent_by, state, next_at, created_at)
            VALUES (@accountId, @kind, @sentBy, 'pending', @now, @now)
            """, new { accountId, kind, sentBy = actor.Name, now }, tx);
    }

    private sealed class Due
    {
        public long Id { get; init; }
        public long AccountId { get; init; }
        public string Kind { get; init; } = "";
        public string SentBy { get; init; } = "";
        public int Attempts { get; init; }
        public string Email { get; init; } = "";
        public string Name { get; init; } = "";
        public string Role { get; init; } = "";
    }

    public async Task<int> SendDueAsync(CancellationToken ct)
    {
        var now = clock.GetUtcNow();
        List<Due> due;
        await using (var conn = await db.OpenAsync(ct))
            due = (await conn.QueryAsync<Due>("""
                SELECT l.id, l.account_id AS AccountId, l.kind, l.sent_by AS SentBy, l.attempts, a.email, a.name, a.role
                FROM staff_letter l JOIN staff_account a ON a.id = l.account_id
                WHERE l.state = 'pending' AND l.next_at <= @now AND a.status <> 'disabled'
                ORDER BY l.id LIMIT 100
                """, new { now })).AsList();
        if (due.Count == 0) return 0;
        var sent = 0;
        await using var transport = await LetterTransports.OpenAsync(smtp.Value, mail.Value, ct);
        foreach (var letter in due)
        {
            string token;
            var lifetime = TimeSpan.FromHours(staff.Value.SetupLinkHours);
            await using (var conn = await db.OpenAsync(ct))
            await using (var tx = await db.BeginWriteAsync(conn, ct))
            {
                // The claim: moving next_at on is a lease, so a second run at the same moment skips this letter, and a
                // run that dies mid-send leaves it to be sent again (with a new link) once the lease lapses.
                var claimed = await conn.ExecuteAsync(
                    "UPDATE staff_letter SET attempts = attempts + 1, next_at = @lease WHERE id = @Id AND state = 'pending' AND next_at <= @now",
                    new { letter.Id, now, lease = now + Lease }, tx);
                if (claimed == 0) continue;
                token = await SetupLinks.IssueAsync(conn, tx, letter.AccountId, now, lifetime);
                await tx.CommitAsync(ct);
            }
            string? error = null;
            try
            {
                await transport.SendAsync(Compose(letter, token, now + lifetime), -letter.Id, SendJournal.None, ct);
            }
            catch (Exception e) when (e is not OperationCanceledException)
            {
                error = e.Message;
                log.LogWarning(e, "Staff letter {LetterId} to account {AccountId} failed", letter.Id, letter.AccountId);
            }
            await using (var conn = await db.OpenAsync(ct))
                await conn.ExecuteAsync(error is null
                        ? "UPDATE staff_letter SET state = 'sent', sent_at = @now, last_error = NULL WHERE id = @Id"
                        : "UPDATE staff_letter SET state = @failedState, last_error = @error, next_at = @retryAt WHERE id = @Id",
                    new { letter.Id, now = clock.GetUtcNow(), error, retryAt = clock.GetUtcNow().AddMinutes(Math.Pow(2, letter.Attempts)),
                        failedState = letter.Attempts + 1 >= MaxAttempts ? "failed" : "pending" });
            if (error is null) sent++;
        }
        return sent;
    }

    private MimeMessage Compose(Due letter, string token, DateTimeOffset expires)
    {
        var m = mail.Value;
        var link = m.PublicBaseUrl.TrimEnd('/') + SetupLinks.Path(token);
        var intro = letter.Kind == Invitation
            ? $"{letter.SentBy} has invited you to use {m.UnionName}'s ballot platform as {Article(letter.Role)} {letter.Role}."
            : $"{letter.SentBy} has asked you to set up your authenticator app again for {m.UnionName}'s ballot platform.";
        var text = $"""
            Dear {letter.Name},

            {intro}

            Open this link to {(letter.Kind == Invitation ? "choose your password and " : "")}set up your authenticator app:

            {link}

            The link works once and expires on {time.When(expires)}. If you did not expect this letter, ignore it: nothing happens until the link is used.

            {m.UnionName}
            """;
        var html = $"""
            <p>Dear {Html(letter.Name)},</p>
            <p>{Html(intro)}</p>
            <p><a href="{Html(link)}">{(letter.Kind == Invitation ? "Set up your account" : "Set up your authenticator app")}</a></p>
            <p>The link works once and expires on {Html(time.When(expires))}. If you did not expect this letter, ignore it: nothing happens until the link is used.</p>
            <p>{Html(m.UnionName)}</p>
            """;
        var message = new MimeMessage();
        message.From.Add(new MailboxAddress(m.SenderName, m.FromAddress));
        message.To.Add(new MailboxAddress(letter.Name, letter.Email));
        message.Subject = letter.Kind == Invitation ? $"You are invited to {m.UnionName}'s ballot platform" : $"Set up your authenticator app for {m.UnionName}";
        message.MessageId = $"staff{letter.Id}.{Guid.NewGuid():N}@{m.Domain}";
        message.Date = clock.GetUtcNow();
        message.Body = new BodyBuilder { TextBody = text, HtmlBody = html }.ToMessageBody();
        return message;
    }

    private static string Article(string role) => role.Length > 0 && "aeiou".Contains(role[0]) ? "an" : "a";

    private static string Html(string s) => System.Net.WebUtility.HtmlEncode(s);
}
