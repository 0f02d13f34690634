/// <summary>What the sealing benches share: their command-line arguments, the median of their runs, the load average.</summary>
internal static class BenchArgs
{
    public static string LoadAverage() => File.ReadAllText("/proc/loadavg").Split(' ')[0];

    public static double Median(List<double> values) => values.Order().ElementAt(values.Count / 2);

    public static int Int(string[] args, string name, int fallback) => Arg(args, name) is { } v ? int.Parse(v) : fallback;

    public static string? Arg(string[] args, string name)
    {
        var i = Array.IndexOf(args, name);
        return i >= 0 && i + 1 < args.Length ? args[i + 1] : null;
    }
}
