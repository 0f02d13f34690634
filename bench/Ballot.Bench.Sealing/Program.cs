// The sealed ballot box's cryptographic core (issue 17), BenchmarkDotNet; median, allocations.
//   answer: seal one 3-option answer with its proofs, verify it, add it to a running sum, and a trustee's partial
//           decryption of one sum with its proof (and its check)
//     flock /work/wt/bench.lock dotnet run -c Release --project bench/Ballot.Bench.Sealing -- answer
//   group: the primitives behind those figures, beside libsodium's ristretto255 (the alternative in ADR 0900)
//     flock /work/wt/bench.lock dotnet run -c Release --project bench/Ballot.Bench.Sealing -- group
using BenchmarkDotNet.Running;

if (args.Length > 0 && args[0] == "group")
{
    BenchmarkRunner.Run<GroupBench>(args: args[1..]);
    return 0;
}
BenchmarkRunner.Run<AnswerBench>(args: args.Length > 0 && args[0] == "answer" ? args[1..] : args);
return 0;
