using Hangfire;
using Microsoft.Extensions.Options;

namespace Ballot.Worker;

/// <summary>
/// Registers the recurring jobs. Each feature adds its job here; a job finds due work in the database
/// (the API only records intent) and is safe to run twice.
/// </summary>
internal sealed class Scheduler(IRecurringJobManager jobs, IOptions<WorkerOptions> options, ILogger<Scheduler> log) : IHostedService
{
    public Task StartAsync(CancellationToken ct)
    {
        // Ballots: open at opensAt, close and count at closesAt, queue due reminders (Ballot.Core/Ballots/BallotSchedule.cs).
        jobs.AddOrUpdate<Ballot.Core.Ballots.BallotSchedule>("ballots-due", s => s.RunDueAsync(CancellationToken.None), Cron.Minutely());
        // Leaflets: bulk renders the API has queued as leaflet_job rows (seconds-level cron).
        jobs.AddOrUpdate<Ballot.Core.Leaflets.BulkLeafletRunner>("leaflets-bulk", r => r.RunDueAsync(CancellationToken.None), options.Value.PollCron);
        // Ballots: print runs of voting papers the API has queued as ballot_print_job rows (Ballot.Core/Ballots/Papers/PrintRunner.cs).
        jobs.AddOrUpdate<Ballot.Core.Ballots.Papers.PrintRunner>("ballots-print", r => r.RunDueAsync(CancellationToken.None), options.Value.PollCron);
        // Mail: send scheduled mailings whose time has come (Ballot.Worker/MailJobs.cs).
        jobs.AddOrUpdate<MailJobs>("mail-dispatch", j => j.DispatchDueMailings(CancellationToken.None), options.Value.PollCron);
        // Pickup folder: a closed ballot's voting letters and any letter past Mail:PickupRetentionHours are deleted.
        jobs.AddOrUpdate<Ballot.Core.Mail.PickupSweep>("mail-pickup-sweep", s => s.RunAsync(CancellationToken.None), Cron.Minutely());
        // Staff: invitation and set-up letters the console has queued (Ballot.Core/Staff/Accounts/StaffLetters.cs).
        jobs.AddOrUpdate<Ballot.Core.Staff.Accounts.StaffLetters>("staff-letters", s => s.SendDueAsync(CancellationToken.None), options.Value.PollCron);
        // Ballots: notices to employers queued to be emailed, with their PDF (Ballot.Core/Ballots/Notices/EmployerLetters.cs).
        jobs.AddOrUpdate<Ballot.Core.Ballots.Notices.EmployerLetters>("employer-letters", s => s.SendDueAsync(CancellationToken.None), options.Value.PollCron);
        log.LogInformation("Worker started; polling for due work every {Seconds} s", options.Value.PollSeconds);
        return Task.CompletedTask;
    }

    public Task StopAsync(CancellationToken ct) => Task.CompletedTask;
}
