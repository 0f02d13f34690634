using Ballot.Api;
using Ballot.Api.Cli;

if (args.Length > 0 && args[0] == "tokens")
    return await TokensCli.RunAsync(args[1..]);
if (args.Length > 0 && args[0] == "staff")
    return await StaffCli.RunAsync(args[1..]);
if (args.Length > 0 && args[0] == "trustee")
    return await TrusteeCli.RunAsync(args[1..], Console.Out, Console.Error);

var app = BallotApi.Build(args);
await app.RunAsync();
return 0;
