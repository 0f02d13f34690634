using System.ComponentModel.DataAnnotations;
using Ballot.Core.Common;
using Microsoft.Extensions.Options;

namespace Ballot.Core.Mail;

public enum SmtpSecurity { None, StartTls, StartTlsWhenAvailable, SslOnConnect }

/// <summary>Bound from "Smtp". With no Host, letters are written as .eml files to <see cref="MailOptions.PickupFolder"/>.</summary>
public sealed class SmtpOptions
{
    public const string Section = "Smtp";

    public string? Host { get; set; }

    [Range(1, 65535)]
    public int Port { get; set; } = 25;

    public SmtpSecurity Security { get; set; } = SmtpSecurity.StartTlsWhenAvailable;

    public string? User { get; set; }

    public string? Password { get; set; }

    [Range(1000, 600_000)]
    public int TimeoutMs { get; set; } = 60_000;

    public bool UsesPickupFolder => string.IsNullOrWhiteSpace(Host);
}

/// <summary>Bound from "Mail": who letters come from, how fast they go, where links point.</summary>
public sealed class MailOptions
{
    public const string Section = "Mail";

    [Required]
    public string FromAddress { get; set; } = "ballot@localhost.localdomain";

    /// <summary>Shown as the sender's name; the union's name when empty.</summary>
    public string? FromName { get; set; }

    [Required]
    public string UnionName { get; set; } = "The Union";

    /// <summary>Printed in every letter's footer.</summary>
    public string UnionAddress { get; set; } = "";

    /// <summary>Where members' links (unsubscribe, voting) point: the API's public address.</summary>
    [Required]
    public string PublicBaseUrl { get; set; } = "http://localhost:5080";

    [Required]
    public string PickupFolder { get; set; } = "data/mail-pickup";

    /// <summary>Letter files older than this are deleted from the pickup folder; a ballot's voting letters go when it closes.</summary>
    [Range(1, 8760)]
    public int PickupRetentionHours { get; set; } = 168;

    /// <summary>Per-run send journals that let a restarted worker tell which claimed letters the server already took.</summary>
    [Required]
    public string JournalFolder { get; set; } = "data/mail-journal";

    /// <summary>Letters per second for the whole worker process; 0 = as fast as the server takes them.</summary>
    [Range(0, 100_000)]
    public double RatePerSecond { get; set; } = 2000;

    /// <summary>SMTP connections open at once in one worker process.</summary>
    [Range(1, 64)]
    public int MaxConnections { get; set; } = 4;

    /// <summary>Recipients claimed and marked sent per transaction.</summary>
    [Range(1, 5000)]
    public int BatchSize { get; set; } = 250;

    /// <summary>Attempts after 4xx replies or dropped connections before a recipient is marked failed.</summary>
    [Range(1, 50)]
    public int MaxAttempts { get; set; } = 5;

    /// <summary>First retry delay after a 4xx reply; doubles with each attempt (capped at an hour).</summary>
    [Range(0, 3600)]
    public double RetryBaseSeconds { get; set; } = 60;

    /// <summary>A sender renews its lease on a mailing; another worker takes over once it lapses.</summary>
    [Range(1, 3600)]
    public int LeaseSeconds { get; set; } = 30;

    public string? DkimDomain { get; set; }
    public string? DkimSelector { get; set; }

    /// <summary>PEM private key file; DKIM signing is on when this is set.</summary>
    public string? DkimPrivateKeyFile { get; set; }

    public string SenderName => string.IsNullOrWhiteSpace(FromName) ? UnionName : FromName;

    public string Domain => FromAddress[(FromAddress.IndexOf('@') + 1)..];
}

/// <summary>Checks across settings, each message naming the setting, so a bad configuration stops start-up.</summary>
internal sealed class ValidateMailOptions : IValidateOptions<MailOptions>, IValidateOptions<SmtpOptions>
{
    public ValidateOptionsResult Validate(string? name, MailOptions o)
    {
        var errors = new List<string>();
        if (!EmailAddress.IsValid(o.FromAddress ?? "")) errors.Add($"Mail:FromAddress '{o.FromAddress}' is not an email address.");
        if (!Uri.TryCreate(o.PublicBaseUrl, UriKind.Absolute, out var u) || u.Scheme is not ("http" or "https"))
            errors.Add($"Mail:PublicBaseUrl '{o.PublicBaseUrl}' must be an absolute http(s) URL.");
        if (!string.IsNullOrWhiteSpace(o.DkimPrivateKeyFile))
        {
            if (string.IsNullOrWhiteSpace(o.DkimDomain)) errors.Add("Mail:DkimDomain is required when Mail:DkimPrivateKeyFile is set.");
            if (string.IsNullOrWhiteSpace(o.DkimSelector)) errors.Add("Mail:DkimSelector is required when Mail:DkimPrivateKeyFile is set.");
            if (!File.Exists(o.DkimPrivateKeyFile)) errors.Add($"Mail:DkimPrivateKeyFile '{o.DkimPrivateKeyFile}' does not exist.");
        }
        return errors.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(errors);
    }

    public ValidateOptionsResult Validate(string? name, SmtpOptions o)
    {
        if (!string.IsNullOrEmpty(o.User) && o.Password is null)
            return ValidateOptionsResult.Fail("Smtp:Password is required when Smtp:User is set.");
        if (o.Host is { } h && (h.Contains(' ') || h.Contains('/')))
            return ValidateOptionsResult.Fail($"Smtp:Host '{h}' is not a host name.");
        return ValidateOptionsResult.Success;
    }
}
