using Ballot.Worker;

var host = BallotWorker.Build(args);
await host.RunAsync();
