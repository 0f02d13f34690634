namespace Ballot.Core.Mail.Sending;

/// <summary>One sender run of one mailing: what its connection loops share, and the flags the lease's heartbeat sets.</summary>
public sealed class SendRun(string id, MailingToSend mailing, LetterTemplate template, SendJournal journal)
{
    public string Id { get; } = id;
    public MailingToSend Mailing { get; } = mailing;
    public LetterTemplate Template { get; } = template;
    public SendJournal Journal { get; } = journal;
    public volatile bool Stop;
    public volatile bool Cancelled;

    public static string NewId() => $"{Environment.MachineName}-{Environment.ProcessId}-{Guid.NewGuid().ToString("N")[..12]}";
}

public sealed class ClaimedLetter
{
    public long RecipientId { get; init; }
    public long MemberId { get; init; }
    public string Email { get; init; } = "";
    public int Attempts { get; init; }
    public string MembershipNumber { get; init; } = "";
    public string? FirstName { get; init; }
    public string? LastName { get; init; }
    public string? Workplace { get; init; }
    public string? Employer { get; init; }
    public string? Region { get; init; }
    public string? Category { get; init; }
    public DateTimeOffset? ErasedAt { get; init; }

    public LetterRecipient ToRecipient() => new()
    {
        MemberId = MemberId, MembershipNumber = MembershipNumber, FirstName = FirstName, LastName = LastName,
        Email = Email, Workplace = Workplace, Employer = Employer, Region = Region, Category = Category,
    };
}

public enum LetterResult { Sent, Failed, Retry }

public sealed record LetterOutcome(ClaimedLetter Letter, LetterResult Result, string? Error = null);
