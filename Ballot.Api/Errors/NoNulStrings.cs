using System.Text.Json;
using System.Text.Json.Serialization.Metadata;

namespace Ballot.Api.Errors;

/// <summary>
/// NUL is never text here: PostgreSQL cannot store it (22021) and SQLite would keep a name that prints as nothing.
/// Every string a JSON body sets, and every query value, carrying one is refused with a 400 that names it, on both
/// engines alike, before any handler runs (issue 11, flaw 10). A check after each object is read rather than a string
/// converter: a converter would turn every string in the OpenAPI document into an untyped schema.
/// </summary>
public static class NoNulStrings
{
    public const string Message = "Text must not contain the NUL character (U+0000).";

    public static void Modifier(JsonTypeInfo type)
    {
        if (type.Kind != JsonTypeInfoKind.Object || type.OnDeserialized is not null) return;
        var texts = type.Properties.Where(p => p.Get is not null && (p.PropertyType == typeof(string)
            || typeof(IEnumerable<string?>).IsAssignableFrom(p.PropertyType)
            || typeof(IEnumerable<KeyValuePair<string, string?>>).IsAssignableFrom(p.PropertyType))).ToArray();
        if (texts.Length == 0) return;
        type.OnDeserialized = o =>
        {
            foreach (var p in texts)
                if (HasNul(p.Get!(o))) throw new JsonException($"'{p.Name}': {Message}");
        };
    }

    private static bool HasNul(object? value) => value switch
    {
        string s => s.Contains('\0'),
        IEnumerable<KeyValuePair<string, string?>> map => map.Any(kv => kv.Key.Contains('\0') || kv.Value?.Contains('\0') == true),
        IEnumerable<string?> list => list.Any(s => s?.Contains('\0') == true),
        _ => false,
    };

    /// <summary>The same rule for query strings, which bind to parameters without passing through JSON.</summary>
    public static async Task InQuery(HttpContext http, Func<Task> next)
    {
        foreach (var (key, values) in http.Request.Query)
            if (key.Contains('\0') || values.Any(v => v?.Contains('\0') == true))
                throw new Ballot.Core.Common.ValidationFailed(new Dictionary<string, string[]> { [key.Replace("\0", "", StringComparison.Ordinal)] = [Message] });
        await next();
    }
}
