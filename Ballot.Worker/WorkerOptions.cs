using System.ComponentModel.DataAnnotations;

namespace Ballot.Worker;

public sealed class WorkerOptions
{
    public const string Section = "Worker";

    /// <summary>How often the worker looks in the database for work that has become due.</summary>
    [Range(1, 3600)]
    public int PollSeconds { get; set; } = 5;

    /// <summary>A Hangfire cron expression for "every PollSeconds" (six fields: seconds first, when under a minute).</summary>
    public string PollCron => PollSeconds < 60 ? $"*/{PollSeconds} * * * * *" : $"*/{Math.Clamp(PollSeconds / 60, 1, 59)} * * * *";
}
