using System.Globalization;
using System.Text.RegularExpressions;
using Microsoft.Extensions.Options;

namespace Ballot.Core.Motions;

/// <summary>
/// English school terms, bound from the "Terms" section. Each term's last day is what an instruction
/// "in the summer term 2001" is due by. Spring runs January to Easter, summer Easter to July, autumn
/// September to December; a year whose dates differ is given in <see cref="Overrides"/>.
/// </summary>
public sealed class TermOptions
{
    public const string Section = "Terms";

    /// <summary>"easter" (Easter Sunday of that year) or a month and day, "MM-dd".</summary>
    public string SpringEnds { get; set; } = "easter";

    /// <summary>"MM-dd".</summary>
    public string SummerEnds { get; set; } = "07-31";

    /// <summary>"MM-dd".</summary>
    public string AutumnEnds { get; set; } = "12-31";

    /// <summary>Exact last days for particular terms, keyed "summer-2001", valued "2001-07-20".</summary>
    public Dictionary<string, string> Overrides { get; set; } = new(StringComparer.OrdinalIgnoreCase);
}

public sealed partial class TermOptionsValidator : IValidateOptions<TermOptions>
{
    [GeneratedRegex("^(spring|summer|autumn)-[0-9]{4}$", RegexOptions.IgnoreCase)]
    private static partial Regex OverrideKey();

    public ValidateOptionsResult Validate(string? name, TermOptions o)
    {
        var failures = new List<string>();
        if (!o.SpringEnds.Equals("easter", StringComparison.OrdinalIgnoreCase) && !TermCalendar.TryMonthDay(o.SpringEnds, out _, out _))
            failures.Add($"Terms:SpringEnds must be \"easter\" or a month and day as MM-dd; it is \"{o.SpringEnds}\".");
        if (!TermCalendar.TryMonthDay(o.SummerEnds, out _, out _))
            failures.Add($"Terms:SummerEnds must be a month and day as MM-dd; it is \"{o.SummerEnds}\".");
        if (!TermCalendar.TryMonthDay(o.AutumnEnds, out _, out _))
            failures.Add($"Terms:AutumnEnds must be a month and day as MM-dd; it is \"{o.AutumnEnds}\".");
        foreach (var (key, value) in o.Overrides)
        {
            if (!OverrideKey().IsMatch(key))
                failures.Add($"Terms:Overrides:{key} must be named like \"summer-2001\".");
            else if (!DateOnly.TryParseExact(value, "yyyy-MM-dd", CultureInfo.InvariantCulture, DateTimeStyles.None, out var d)
                     || d.Year.ToString(CultureInfo.InvariantCulture) != key[^4..])
                failures.Add($"Terms:Overrides:{key} must be a date in that year as yyyy-MM-dd; it is \"{value}\".");
        }
        return failures.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failures);
    }
}

public sealed class TermCalendar(IOptions<TermOptions> options)
{
    public static readonly string[] Terms = ["spring", "summer", "autumn"];

    private readonly TermOptions _o = options.Value;

    /// <summary>The last day of the term: the day an instruction due "in" it is due by.</summary>
    public DateOnly EndOf(string term, int year)
    {
        term = term.ToLowerInvariant();
        if (_o.Overrides.TryGetValue($"{term}-{year}", out var exact))
            return DateOnly.ParseExact(exact, "yyyy-MM-dd", CultureInfo.InvariantCulture);
        var setting = term switch
        {
            "spring" => _o.SpringEnds,
            "summer" => _o.SummerEnds,
            "autumn" => _o.AutumnEnds,
            _ => throw new ArgumentOutOfRangeException(nameof(term), term, "spring, summer or autumn"),
        };
        if (setting.Equals("easter", StringComparison.OrdinalIgnoreCase)) return EasterSunday(year);
        TryMonthDay(setting, out var month, out var day);
        return new DateOnly(year, month, Math.Min(day, DateTime.DaysInMonth(year, month)));
    }

    /// <summary>Easter Sunday in the Gregorian calendar (the "anonymous" algorithm, Meeus/Jones/Butcher).</summary>
    public static DateOnly EasterSunday(int year)
    {
        var a = year % 19;
        var b = year / 100;
        var c = year % 100;
        var d = b / 4;
        var e = b % 4;
        var f = (b + 8) / 25;
        var g = (b - f + 1) / 3;
        var h = (19 * a + b - d - g + 15) % 30;
        var i = c / 4;
        var k = c % 4;
        var l = (32 + 2 * e + 2 * i - h - k) % 7;
        var m = (a + 11 * h + 22 * l) / 451;
        var month = (h + l - 7 * m + 114) / 31;
        var day = (h + l - 7 * m + 114) % 31 + 1;
        return new DateOnly(year, month, day);
    }

    internal static bool TryMonthDay(string value, out int month, out int day)
    {
        month = day = 0;
        if (!DateOnly.TryParseExact("2000-" + value, "yyyy-MM-dd", CultureInfo.InvariantCulture, DateTimeStyles.None, out var d)) return false;
        month = d.Month;
        day = d.Day;
        return true;
    }
}
