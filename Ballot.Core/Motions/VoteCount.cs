using Ballot.Core.Common;

namespace Ballot.Core.Motions;

/// <summary>
/// How conference decided a motion or an amendment: by show of hands (the chair declares carried or lost) or by
/// card vote (numbers for, against and abstaining, which decide the result).
/// </summary>
public sealed record VoteInput(string? Method, string? Result, long? For, long? Against, long? Abstain, long? TotalCast);

public static class VoteCount
{
    public const string ShowOfHands = "show-of-hands";
    public const string Card = "card";

    public static readonly string[] Methods = [ShowOfHands, Card];
    public static readonly string[] Results = [MotionStatus.Carried, MotionStatus.Lost];

    /// <summary>
    /// The result the vote gives. A simple majority needs more for than against; a two-thirds majority needs at least
    /// two thirds of those voting for or against. Abstentions are recorded but do not count either way.
    /// Inconsistent input is refused with the field that is wrong.
    /// </summary>
    public static string Decide(VoteInput v, bool twoThirds)
    {
        try
        {
            return DecideOrThrow(v, twoThirds);
        }
        catch (ValidationFailed e)
        {
            // The first reason becomes the problem's detail, so a client that shows only the detail says what is wrong.
            throw new ValidationFailed(e.Errors, "The vote is not consistent: " + e.Errors.Values.First()[0]);
        }
    }

    private static string DecideOrThrow(VoteInput v, bool twoThirds)
    {
        var p = new Problems();
        p.Required("method", v.Method).OneOf("method", v.Method, Methods);
        p.OneOf("result", v.Result, Results);
        p.ThrowIfAny();
        if (v.Method == ShowOfHands)
        {
            if (v.For is not null || v.Against is not null || v.Abstain is not null || v.TotalCast is not null)
                p.Add("method", "A show of hands has no numbers; record a card vote (method \"card\") to give them.");
            if (v.Result is null) p.Add("result", "Say what the chair declared: carried or lost.");
            p.ThrowIfAny();
            return v.Result!;
        }

        if (v.For is null) p.Add("for", "A card vote needs the number for.");
        if (v.Against is null) p.Add("against", "A card vote needs the number against.");
        if (v.For < 0) p.Add("for", "The number for cannot be negative.");
        if (v.Against < 0) p.Add("against", "The number against cannot be negative.");
        if (v.Abstain < 0) p.Add("abstain", "The number abstaining cannot be negative.");
        p.ThrowIfAny();
        long f = v.For!.Value, a = v.Against!.Value, abstain = v.Abstain ?? 0;
        if (f + a == 0) p.Add("for", "No votes were cast for or against: a card vote cannot decide anything.");
        if (v.TotalCast is { } total && total != f + a + abstain)
            p.Add("totalCast", $"For ({f}), against ({a}) and abstaining ({abstain}) add up to {f + a + abstain}, not {total}.");
        p.ThrowIfAny();
        var carried = twoThirds ? 3 * f >= 2 * (f + a) : f > a;
        var result = carried ? MotionStatus.Carried : MotionStatus.Lost;
        if (v.Result is not null && v.Result != result)
            p.Add("result", twoThirds
                ? $"{f} for and {a} against is {(carried ? "" : "not ")}a two-thirds majority: the vote is {result}, not {v.Result}."
                : $"{f} for and {a} against means the vote is {result}, not {v.Result}.");
        p.ThrowIfAny();
        return result;
    }
}
