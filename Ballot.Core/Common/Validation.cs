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

public static class EmailAddress
{
    /// <summary>Deliberately plain: one @, a dot in the domain, no spaces or angle brackets.</summary>
    public static bool IsValid(string value)
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
