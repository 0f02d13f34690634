using System.Globalization;
using System.Security.Claims;
using Ballot.Api.Auth;
using Ballot.Core.Common;

namespace Ballot.Api.StaffConsole;

/// <summary>What the ballot pages share: who acted (as the JSON API records it), lists typed as "a, b", times typed in the union's zone.</summary>
public static class BallotForms
{
    /// <summary>The actor recorded in a ballot's audit chain, as the JSON API records it (<see cref="Auth.StaffActors.AuditName"/>).</summary>
    public static string BallotActor(this ClaimsPrincipal user) => user.AuditName();

    public static IReadOnlyList<string>? List(string? text)
    {
        var items = (text ?? "").Split([',', '\n'], StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        return items.Length == 0 ? null : items;
    }

    public static string Text(IEnumerable<string>? items) => items is null ? "" : string.Join(", ", items);

    /// <summary>A datetime-local value ("2026-12-01T09:00") read as the union's local time.</summary>
    public static DateTimeOffset? FromLocal(UnionTime time, string? value)
    {
        if (!DateTime.TryParseExact(value, ["yyyy-MM-ddTHH:mm", "yyyy-MM-ddTHH:mm:ss"], CultureInfo.InvariantCulture, DateTimeStyles.None, out var local))
            return null;
        return new DateTimeOffset(local, time.Zone.GetUtcOffset(local)).ToUniversalTime();
    }

    public static string ToLocal(UnionTime time, DateTimeOffset? t) =>
        t is { } v ? time.Local(v).ToString("yyyy-MM-ddTHH:mm", CultureInfo.InvariantCulture) : "";
}
