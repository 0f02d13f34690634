using System.Data.Common;
using Dapper;

namespace Ballot.Core.Members;

/// <summary>
/// Whether a member's email is a work address: as the register marks it (member.email_kind), else by the employer's
/// email domains. The draft Code of Practice asks that online access go to a personal address (ADR 0601).
/// </summary>
public sealed class WorkEmail
{
    private readonly Dictionary<string, List<string>> _domains;

    private WorkEmail(Dictionary<string, List<string>> domains) => _domains = domains;

    private sealed class DomainRow
    {
        public string Employer { get; init; } = "";
        public string Domain { get; init; } = "";
    }

    /// <summary>Every employer's domains, read once: one call per ballot, then <see cref="IsWork"/> per elector.</summary>
    public static async Task<WorkEmail> LoadAsync(DbConnection conn, DbTransaction? tx = null)
    {
        var rows = await conn.QueryAsync<DomainRow>("SELECT employer, domain FROM employer_email_domain", transaction: tx);
        var map = new Dictionary<string, List<string>>(StringComparer.Ordinal);
        foreach (var r in rows)
        {
            if (!map.TryGetValue(r.Employer, out var list)) map[r.Employer] = list = [];
            list.Add(r.Domain);
        }
        return new WorkEmail(map);
    }

    /// <summary>
    /// True when the email is a work address: email_kind 'work'; or, when email_kind is not known, the address is at one of
    /// <paramref name="employer"/>'s domains. An email marked 'personal' is personal even at an employer's domain.
    /// </summary>
    public bool IsWork(string? email, string? emailKind, string employer)
    {
        if (string.IsNullOrWhiteSpace(email)) return false;
        if (emailKind == "work") return true;
        if (emailKind == "personal") return false;
        return _domains.TryGetValue(employer, out var domains) && domains.Any(d => Matches(email, d));
    }

    /// <summary>'leeds.gov.uk' is that domain exactly; '*.sch.uk' is any domain ending in '.sch.uk'.</summary>
    public static bool Matches(string email, string domain)
    {
        var at = email.LastIndexOf('@');
        if (at < 0) return false;
        var host = email[(at + 1)..].Trim().TrimEnd('.').ToLowerInvariant();
        return domain.StartsWith("*.", StringComparison.Ordinal)
            ? host.EndsWith(domain[1..], StringComparison.Ordinal)
            : host == domain;
    }

    /// <summary>A domain as stored: lower case, no '@'; 'leeds.gov.uk' or '*.sch.uk'. Null when it is not one.</summary>
    public static string? Normalise(string? text)
    {
        var d = text?.Trim().TrimStart('@').TrimEnd('.').ToLowerInvariant();
        if (string.IsNullOrEmpty(d) || d.Length > 253) return null;
        var body = d.StartsWith("*.", StringComparison.Ordinal) ? d[2..] : d;
        var labels = body.Split('.');
        if (labels.Length < 2) return null;
        foreach (var l in labels)
            if (l.Length is 0 or > 63 || l.StartsWith('-') || l.EndsWith('-') || !l.All(c => c is >= 'a' and <= 'z' or >= '0' and <= '9' or '-'))
                return null;
        return d;
    }
}
