using MediatR;

namespace Ballot.Core.Common;

/// <summary>A request that can check itself. Kept in the same file as its handler.</summary>
public interface IValidatable
{
    void Validate(Problems problems);
}

/// <summary>Collects per-field messages.</summary>
public sealed class Problems
{
    private readonly Dictionary<string, List<string>> _errors = new(StringComparer.Ordinal);

    public bool Any => _errors.Count > 0;

    public Problems Add(string field, string message)
    {
        if (!_errors.TryGetValue(field, out var list)) _errors[field] = list = [];
        list.Add(message);
        return this;
    }

    public Problems Required(string field, string? value, int maxLength = 200)
    {
        if (string.IsNullOrWhiteSpace(value)) Add(field, $"{field} is required.");
        else if (value.Length > maxLength) Add(field, $"{field} must be at most {maxLength} characters.");
        return this;
    }

    public Problems MaxLength(string field, string? value, int maxLength)
    {
        if (value is not null && value.Length > maxLength) Add(field, $"{field} must be at most {maxLength} characters.");
        return this;
    }

    public Problems Email(string field, string? value)
    {
        if (value is not null && !EmailAddress.IsValid(value)) Add(field, $"{field} is not a valid email address.");
        return this;
    }

    /// <summary>
    /// page from 1 to <see cref="Paging.MaxPage"/>, pageSize from 1 to <paramref name="maxPageSize"/>; the offset is then
    /// at most a billion rows and computed as a long, so it never wraps negative.
    /// </summary>
    public Problems Paging(int page, int pageSize, int maxPageSize)
    {
        if (page is < 1 or > Common.Paging.MaxPage) Add("page", $"page must be between 1 and {Common.Paging.MaxPage}.");
        if (pageSize < 1 || pageSize > maxPageSize) Add("pageSize", $"pageSize must be between 1 and {maxPageSize}.");
        return this;
    }

    public Problems OneOf(string field, string? value, IReadOnlyCollection<string> allowed)
    {
        if (value is not null && !allowed.Contains(value)) Add(field, $"{field} must be one of: {string.Join(", ", allowed)}.");
        return this;
    }

    public void ThrowIfAny()
    {
        if (Any) throw new ValidationFailed(_errors.ToDictionary(kv => kv.Key, kv => kv.Value.ToArray()));
    }
}

public static class Paging
{
    public const int MaxPage = 1_000_000;

    public static long Offset(int page, int pageSize) => ((long)page - 1) * pageSize;
}

public static class EmailAddress
{
    /// <summary>
    /// Deliberately plain: one @, a dot in the domain, no spaces or angle brackets; and an address MimeKit takes as it
    /// stands, because the mail worker builds every letter's To with MimeKit: an address it cannot parse
    /// ("a[b@example.org", "x:y@example.org") must be refused here rather than fail a letter later.
    /// </summary>
    public static bool IsValid(string value)
    {
        if (!PlainRules(value)) return false;
        // Most addresses are plain dot-atoms, which MimeKit always accepts; parsing 450,000 of them in an import
        // costs ~0.7 s, so only the unusual ones go through MimeKit.
        if (IsPlainDotAtom(value)) return true;
        if (!MimeKit.MailboxAddress.TryParse(value, out var parsed) || !string.Equals(parsed.Address, value, StringComparison.Ordinal))
            return false;
        try
        {
            _ = new MimeKit.MailboxAddress("", value);
            return true;
        }
        catch (MimeKit.ParseException)
        {
            return false;
        }
    }

    /// <summary>local@domain where both sides are dot-separated runs of letters, digits and (local part) "+_-", (domain) "-".</summary>
    internal static bool IsPlainDotAtom(string value)
    {
        var at = value.IndexOf('@');
        return at > 0 && DotAtom(value.AsSpan(0, at), local: true) && DotAtom(value.AsSpan(at + 1), local: false);

        static bool DotAtom(ReadOnlySpan<char> s, bool local)
        {
            if (s.IsEmpty || s[0] == '.' || s[^1] == '.') return false;
            for (var i = 0; i < s.Length; i++)
            {
                var c = s[i];
                if (c == '.') { if (s[i - 1] == '.') return false; continue; }
                if (!char.IsAsciiLetterOrDigit(c) && c != '-' && !(local && c is '+' or '_')) return false;
            }
            return true;
        }
    }

    private static bool PlainRules(string value)
    {
        if (value.Length is < 3 or > 254) return false;
        var at = value.IndexOf('@');
        if (at <= 0 || at != value.LastIndexOf('@') || at == value.Length - 1) return false;
        var domain = value.AsSpan(at + 1);
        if (domain.IndexOf('.') <= 0 || domain[^1] == '.') return false;
        foreach (var c in value)
            if (char.IsWhiteSpace(c) || c is '<' or '>' or ',' or ';' or '"' or '(' or ')' || char.IsControl(c)) return false;
        return true;
    }
}

/// <summary>Runs <see cref="IValidatable.Validate"/> before every handler.</summary>
public sealed class ValidationBehavior<TRequest, TResponse> : IPipelineBehavior<TRequest, TResponse>
{
    public Task<TResponse> Handle(TRequest request, CancellationToken cancellationToken, RequestHandlerDelegate<TResponse> next)
    {
        if (request is IValidatable v)
        {
            var problems = new Problems();
            v.Validate(problems);
            problems.ThrowIfAny();
        }
        return next();
    }
}
