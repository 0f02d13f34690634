// The sealed ballot box's cryptographic core (issue 17), BenchmarkDotNet; median, allocations.
//   answer: seal one 3-option answer with its proofs, verify it, add it to a running sum, and a trustee's partial
//           decryption of one sum with its proof (and its check)
//     flock /work/wt/bench.lock dotnet run -c Release --project bench/Ballot.Bench.Sealing -- answer
//   slots: seal a 3-option answer from a precomputed slot vs directly, and the cost of precomputing one slot (ADR 0905)
//     flock /work/wt/bench.lock dotnet run -c Release --project bench/Ballot.Bench.Sealing -- slots
//   count: the server's part of the count once the sums exist, at the size (25,000 constituencies, 175,000
//          option sums, 2-of-3 trustees' batched decryptions; ADR 0908): decode the sums and the posted shares, check,
//          open and solve; and a sample of papers verified, for the verifier's projection. Medians of 3 runs (data
//          cached under /tmp/ballot-bench-count)
//     flock /work/wt/bench.lock dotnet run -c Release --project bench/Ballot.Bench.Sealing -- count [--windows 11,12,13,14,15]
//   group: the primitives behind those figures, beside libsodium's ristretto255 (the alternative in ADR 0900)
//     flock /work/wt/bench.lock dotnet run -c Release --project bench/Ballot.Bench.Sealing -- group
//   Run it three times for a median of three runs (in-process: BenchmarkDotNet's generated project does not build
//   within its timeout when the machine is loaded).
using BenchmarkDotNet.Configs;
using BenchmarkDotNet.Engines;
using BenchmarkDotNet.Jobs;
using BenchmarkDotNet.Running;
using BenchmarkDotNet.Toolchains.InProcess.Emit;
using Perfolizer.Horology;

var config = ManualConfig.Create(DefaultConfig.Instance).AddJob(Job.Default
    .WithToolchain(InProcessEmitToolchain.Instance)
    .WithWarmupCount(5).WithIterationCount(15).WithIterationTime(TimeInterval.FromMilliseconds(250)));
if (args.Length > 0 && args[0] == "count")
    return CountBench.Run(args[1..]);
if (args.Length > 0 && args[0] == "sums") return RunningSumBench.Run(args[1..]);
if (args.Length > 0 && args[0] == "slots")
{
    // Its own job (a fixed invocation count, so each invocation can take a slot made in the iteration's setup).
    BenchmarkRunner.Run<SlotBench>(ManualConfig.Create(DefaultConfig.Instance).AddJob(Job.Default
        .WithToolchain(InProcessEmitToolchain.Instance).WithStrategy(RunStrategy.Monitoring)
        .WithWarmupCount(2).WithIterationCount(9).WithInvocationCount(SlotBench.Invocations).WithUnrollFactor(1)), args[1..]);
    return 0;
}
if (args.Length > 0 && args[0] == "group")
{
    BenchmarkRunner.Run<GroupBench>(config, args[1..]);
    return 0;
}
BenchmarkRunner.Run<AnswerBench>(config, args.Length > 0 && args[0] == "answer" ? args[1..] : args);
return 0;
