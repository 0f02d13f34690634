using System.ComponentModel.DataAnnotations;
using System.Globalization;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;

namespace Ballot.Core.Common;

/// <summary>Bound from "Union": the union's own time zone, in which people read every time (staff pages, voting pages, letters).</summary>
public sealed class UnionOptions
{
    public const string Section = "Union";

    /// <summary>An IANA time zone id.</summary>
    [Required]
    public string TimeZone { get; set; } = "Europe/London";
}

/// <summary>
/// Times as people read them: "Tuesday 1 December 2026 at 13:49 GMT". Stored times stay UTC (ADR 0111); only what
/// is shown is converted.
/// </summary>
public sealed class UnionTime
{
    private readonly TimeZoneInfo _zone;

    public UnionTime(IOptions<UnionOptions> options) : this(options.Value.TimeZone) { }

    public UnionTime(string timeZone) => _zone = TimeZoneInfo.FindSystemTimeZoneById(timeZone);

    /// <summary>
    /// The process's zone, for static text builders (letters, voting papers, notices) that have no services: set from
    /// Union:TimeZone when Ballot.Core is registered. One union, one zone, per process.
    /// </summary>
    public static UnionTime Shared { get; private set; } = new("Europe/London");

    internal static void SetShared(UnionTime time) => Shared = time;

    public TimeZoneInfo Zone => _zone;

    public DateTimeOffset Local(DateTimeOffset t) => TimeZoneInfo.ConvertTime(t, _zone);

    /// <summary>"Tuesday 1 December 2026 at 13:49 GMT".</summary>
    public string When(DateTimeOffset t)
    {
        var local = Local(t);
        return local.ToString("dddd d MMMM yyyy 'at' HH:mm", CultureInfo.InvariantCulture) + " " + Abbreviation(local);
    }

    /// <summary>"1 Dec 2026 13:49" for tables, where the zone is said once on the page.</summary>
    public string Short(DateTimeOffset t) => Local(t).ToString("d MMM yyyy HH:mm", CultureInfo.InvariantCulture);

    /// <summary>"Tuesday 1 December 2026".</summary>
    public string Date(DateTimeOffset t) => Local(t).ToString("dddd d MMMM yyyy", CultureInfo.InvariantCulture);

    /// <summary>"2 days 3 hours", "5 hours 12 minutes", "under a minute": how long until a deadline.</summary>
    public static string Remaining(TimeSpan left)
    {
        if (left <= TimeSpan.Zero) return "none";
        static string N(int n, string unit) => n == 1 ? $"1 {unit}" : $"{n} {unit}s";
        if (left.TotalDays >= 1) return left.Hours == 0 ? N(left.Days, "day") : $"{N(left.Days, "day")} {N(left.Hours, "hour")}";
        if (left.TotalHours >= 1) return left.Minutes == 0 ? N(left.Hours, "hour") : $"{N(left.Hours, "hour")} {N(left.Minutes, "minute")}";
        return left.TotalMinutes >= 1 ? N(left.Minutes, "minute") : "under a minute";
    }

    /// <summary>
    /// .NET has no time zone abbreviations; the zones a British or Irish union uses are named as people know them,
    /// any other as its offset from UTC.
    /// </summary>
    public string Abbreviation(DateTimeOffset local)
    {
        var summer = _zone.IsDaylightSavingTime(local);
        return _zone.Id switch
        {
            "Europe/London" or "Europe/Belfast" or "Europe/Guernsey" or "Europe/Isle_of_Man" or "Europe/Jersey" or "GB" => summer ? "BST" : "GMT",
            "Europe/Dublin" or "Eire" => summer ? "IST" : "GMT",
            "UTC" or "Etc/UTC" or "Etc/GMT" => "UTC",
            _ => local.Offset == TimeSpan.Zero ? "UTC" : "UTC" + (local.Offset < TimeSpan.Zero ? "-" : "+") + local.Offset.ToString(@"hh\:mm", CultureInfo.InvariantCulture),
        };
    }
}

public static class UnionTimeSetup
{
    public static IHostApplicationBuilder AddUnionTime(this IHostApplicationBuilder builder)
    {
        builder.Services.AddOptions<UnionOptions>().Bind(builder.Configuration.GetSection(UnionOptions.Section)).ValidateDataAnnotations().ValidateOnStart();
        builder.Services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<UnionOptions>, ValidateUnionOptions>());
        var zone = builder.Configuration[$"{UnionOptions.Section}:TimeZone"];
        // A bad id is reported by ValidateUnionOptions at start-up, naming the setting.
        if (!string.IsNullOrWhiteSpace(zone) && TimeZoneInfo.TryFindSystemTimeZoneById(zone, out _)) UnionTime.SetShared(new UnionTime(zone));
        builder.Services.AddSingleton<UnionTime>();
        return builder;
    }

    private sealed class ValidateUnionOptions : IValidateOptions<UnionOptions>
    {
        public ValidateOptionsResult Validate(string? name, UnionOptions o) =>
            TimeZoneInfo.TryFindSystemTimeZoneById(o.TimeZone ?? "", out _)
                ? ValidateOptionsResult.Success
                : ValidateOptionsResult.Fail($"Union:TimeZone '{o.TimeZone}' is not a time zone id such as Europe/London.");
    }
}
