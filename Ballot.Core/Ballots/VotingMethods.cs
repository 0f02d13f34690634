using System.Data.Common;
using Ballot.Core.Common;
using Dapper;

namespace Ballot.Core.Ballots;

/// <summary>How a ballot is voted: by post only, online only, or a postal pack whose paper may also be used online.</summary>
public enum VotingMethod { Postal, Electronic, Hybrid }

/// <summary>One row of lawful_voting_method: a method the law allows for a kind of ballot over a span of opening dates.</summary>
public sealed class LawfulMethod
{
    public string BallotKind { get; init; } = "";
    public string VotingMethod { get; init; } = "";
    public string AppliesFrom { get; init; } = "";
    public string? AppliesUntil { get; init; }
    public string Authority { get; init; } = "";
}

/// <summary>Which voting methods the rule sets allow, as data (ADR 0600): a new Order is a new row, not new code.</summary>
public static class VotingMethods
{
    public static string Of(VotingMethod m) => m switch
    {
        VotingMethod.Postal => "postal",
        VotingMethod.Electronic => "electronic",
        _ => "hybrid",
    };

    public static VotingMethod Parse(string text) => text switch
    {
        "postal" => VotingMethod.Postal,
        "electronic" => VotingMethod.Electronic,
        "hybrid" => VotingMethod.Hybrid,
        _ => throw new ArgumentOutOfRangeException(nameof(text), text, "Not a voting method."),
    };

    /// <summary>The methods allowed for a kind of ballot that opens on the day (UTC) of <paramref name="opensAt"/>.</summary>
    public static async Task<IReadOnlyList<LawfulMethod>> AllowedAsync(DbConnection conn, BallotKind kind, DateTimeOffset opensAt, DbTransaction? tx = null)
    {
        var day = opensAt.UtcDateTime.ToString("yyyy-MM-dd");
        return (await conn.QueryAsync<LawfulMethod>("""
            SELECT ballot_kind, voting_method, applies_from, applies_until, authority FROM lawful_voting_method
            WHERE ballot_kind = @kind AND applies_from <= @day AND (applies_until IS NULL OR applies_until > @day)
            ORDER BY voting_method
            """, new { kind = KindText.Of(kind), day }, tx)).ToList();
    }

    /// <summary>Industrial action: hybrid where the law allows it, else postal (s.230). Consultative: online, as before.</summary>
    public static VotingMethod Default(BallotKind kind, IReadOnlyList<LawfulMethod> allowed)
    {
        if (kind == BallotKind.Consultative) return VotingMethod.Electronic;
        return allowed.Any(m => m.VotingMethod == "hybrid") ? VotingMethod.Hybrid : VotingMethod.Postal;
    }

    /// <summary>
    /// The method a ballot will use: the one asked for, or the default. Refuses a method no rule allows on the opening day,
    /// naming the rules that are in force then.
    /// </summary>
    public static async Task<VotingMethod> ChooseAsync(DbConnection conn, BallotKind kind, VotingMethod? asked, DateTimeOffset opensAt, DbTransaction? tx = null)
    {
        var allowed = await AllowedAsync(conn, kind, opensAt, tx);
        var method = asked ?? Default(kind, allowed);
        var why = Refusal(kind, method, opensAt, allowed);
        if (why is not null) throw ValidationFailed.For("votingMethod", why);
        return method;
    }

    /// <summary>Null when the method is lawful on the day; else a sentence naming the rules in force.</summary>
    public static string? Refusal(BallotKind kind, VotingMethod method, DateTimeOffset opensAt, IReadOnlyList<LawfulMethod> allowed)
    {
        var text = Of(method);
        if (allowed.Any(m => m.VotingMethod == text)) return null;
        var day = opensAt.UtcDateTime.ToString("yyyy-MM-dd");
        if (allowed.Count == 0) return $"No rule allows any voting method for a {KindText.Of(kind)} ballot opening on {day}.";
        var rules = string.Join("; ", allowed.Select(m => $"{m.VotingMethod} under {m.Authority}"));
        return $"A {KindText.Of(kind)} ballot opening on {day} may not be voted by '{text}': the rules in force allow only {rules}.";
    }
}
