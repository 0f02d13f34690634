using Ballot.Worker;

var host = BallotWorker.Build(args, b =>
{
    // The dashboard's well-known address when run for real; tests leave it on a free port.
    b.Configuration["Worker:DashboardUrls"] ??= "http://localhost:5081";
});
await host.RunAsync();
