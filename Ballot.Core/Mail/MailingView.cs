using System.Data.Common;
using Ballot.Core.Common;
using Dapper;

namespace Ballot.Core.Mail;

public sealed record MailingProgress(long Recipients, long Pending, long Sending, long Sent, long Failed, long Cancelled);

/// <summary>A mailing as staff see it, with its progress.</summary>
public sealed record MailingView(
    long Id, string Kind, string? Purpose, string? Source, long? SourceId, string Subject, string BodyMarkdown, string? ReplyTo,
    Audience Audience, string Status, DateTimeOffset? SendAt, string? CreatedBy, string? ApprovedBy,
    DateTimeOffset CreatedAt, DateTimeOffset UpdatedAt, DateTimeOffset? FinishedAt, long? AudienceSize, MailingProgress Progress);

internal sealed class MailingRow
{
    public long Id { get; init; }
    public string Kind { get; init; } = "";
    public string? Purpose { get; init; }
    public string? Source { get; init; }
    public long? SourceId { get; init; }
    public string Subject { get; init; } = "";
    public string BodyMarkdown { get; init; } = "";
    public string? ReplyTo { get; init; }
    public string Audience { get; init; } = "{}";
    public string Status { get; init; } = "";
    public DateTimeOffset? SendAt { get; init; }
    public string? CreatedBy { get; init; }
    public string? ApprovedBy { get; init; }
    public DateTimeOffset CreatedAt { get; init; }
    public DateTimeOffset UpdatedAt { get; init; }
    public DateTimeOffset? FinishedAt { get; init; }
    public long? TestOf { get; init; }

    public const string Select = """
        SELECT id, kind, purpose, source, source_id AS SourceId, subject, body_markdown AS BodyMarkdown, reply_to AS ReplyTo,
               audience, status, send_at AS SendAt, created_by AS CreatedBy, approved_by AS ApprovedBy,
               created_at AS CreatedAt, updated_at AS UpdatedAt, finished_at AS FinishedAt, test_of AS TestOf
        FROM mailing
        """;

    /// <summary>The mailing, or 404. Test copies are internal to the worker and not found here.</summary>
    public static async Task<MailingRow> LoadAsync(DbConnection conn, long id, DbTransaction? tx = null) =>
        await conn.QuerySingleOrDefaultAsync<MailingRow>(Select + " WHERE id = @id AND test_of IS NULL", new { id }, tx)
        ?? throw new NotFound($"Mailing {id} does not exist.");

    /// <summary>
    /// Letters another feature queued (a ballot's voting letters, reminders and result notice) belong to it: staff see
    /// their progress counts here, nothing more. Rendering them would hand out members' voting links, listing their
    /// recipients would show who has not voted, and cancelling them would bypass the ballot's audit trail.
    /// </summary>
    public void EnsureOwnedByMailings(string action)
    {
        if (Source is null) return;
        throw new Conflict(
            $"Mailing {Id} holds the {Purpose ?? "letters"} of {Source} {SourceId}; the {Source} owns these letters, so they cannot be {action} " +
            $"through the mailing API. Only their progress counts are shown here.");
    }

    public async Task<MailingView> ToViewAsync(DbConnection conn, DbTransaction? tx = null)
    {
        var counts = await MailingTally.ForAsync(conn, Id, tx);
        long C(string s) => counts[s];
        var audience = Mail.Audience.FromJson(Audience);
        long? size = null;
        if (Status is "draft" or "approved" && Kind == "campaign")
        {
            var (sql, args) = audience.Select();
            size = await conn.ExecuteScalarAsync<long>($"SELECT COUNT(*) FROM ({sql}) a", args, tx);
        }
        return new MailingView(Id, Kind, Purpose, Source, SourceId, Subject, BodyMarkdown, ReplyTo, audience, Status, SendAt,
            CreatedBy, ApprovedBy, CreatedAt, UpdatedAt, FinishedAt, size,
            new MailingProgress(counts.Total, C("pending"), C("sending"), C("sent"), C("failed"), C("cancelled")));
    }
}
