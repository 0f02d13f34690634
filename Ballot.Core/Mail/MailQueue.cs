using System.Data.Common;
using Dapper;

namespace Ballot.Core.Mail;

/// <summary>A letter to many members, as queued by another feature (ballot letters, reminders, result notices).</summary>
/// <param name="Kind">"campaign" (unsubscribe link, honours opt-out) or "statutory" (neither).</param>
/// <param name="Source">Who supplies extra merge fields per recipient through <see cref="ILetterFields"/>, e.g. "ballot".</param>
public sealed record NewMailing(
    string Kind, string Subject, string BodyMarkdown, string? ReplyTo,
    string? Source, long? SourceId, string? Purpose, DateTimeOffset SendAt);

/// <summary>
/// Extra merge fields for one recipient of a mailing whose source is <see cref="Source"/>; e.g. the ballot feature
/// derives each elector's voting link here, so the link is never stored.
/// </summary>
public interface ILetterFields
{
    string Source { get; }

    IReadOnlyDictionary<string, object?> FieldsFor(long sourceId, long memberId);
}

public static class MailQueue
{
    /// <summary>
    /// Inserts a mailing, due at <see cref="NewMailing.SendAt"/>, and one pending recipient per row of
    /// <paramref name="recipientsSql"/> (which must select member_id and email), inside the caller's transaction,
    /// so the letters are queued if and only if the caller's change commits. The worker sends them.
    /// </summary>
    public static async Task<long> EnqueueAsync(DbConnection conn, DbTransaction tx, NewMailing mailing, string recipientsSql, object? args = null)
    {
        var id = await conn.ExecuteScalarAsync<long>("""
            INSERT INTO mailing (kind, source, source_id, purpose, subject, body_markdown, reply_to, status, send_at, created_at, updated_at)
            VALUES (@Kind, @Source, @SourceId, @Purpose, @Subject, @BodyMarkdown, @ReplyTo, 'scheduled', @SendAt, @SendAt, @SendAt)
            RETURNING id
            """, mailing, tx);
        await AddRecipientsAsync(conn, tx, id, recipientsSql, args);
        return id;
    }

    /// <summary>Adds one pending recipient per row of <paramref name="recipientsSql"/> (member_id, email) to a mailing.</summary>
    public static async Task<int> AddRecipientsAsync(DbConnection conn, DbTransaction tx, long mailingId, string recipientsSql, object? args = null)
    {
        var p = new DynamicParameters(args);
        p.Add("mailingId", mailingId);
        return await conn.ExecuteAsync($"""
            INSERT INTO mailing_recipient (mailing_id, member_id, email, state)
            SELECT @mailingId, r.member_id, r.email, 'pending'
            FROM ({recipientsSql}) r
            WHERE r.email IS NOT NULL
            """, p, tx);
    }
}
