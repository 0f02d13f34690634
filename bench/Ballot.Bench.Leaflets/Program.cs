// Leaflet benchmarks.
//   single: one personalised two-page A4 leaflet (BenchmarkDotNet; median, allocations, size in KB)
//     dotnet run -c Release --project bench/Ballot.Bench.Leaflets -- single
//   preview: the console editor's preview, page 1 as a 600 px PNG (BenchmarkDotNet)
//     dotnet run -c Release --project bench/Ballot.Bench.Leaflets -- preview
//   bulk: one leaflet per school through the real processes: the API (import, campaign, POST bulk) and the worker
//     (renders the zip), timing the job and sampling the worker's peak memory (VmHWM).
//     dotnet build -c Release Ballot.sln && dotnet run -c Release --project bench/Ballot.Bench.Leaflets -- bulk --schools 25000 --runs 3
using BenchmarkDotNet.Running;

if (args.Length > 0 && args[0] == "bulk") return await BulkBench.Run(args[1..]);
if (args.Length > 0 && args[0] == "preview")
{
    BenchmarkRunner.Run<PreviewBench>(args: args[1..]);
    return 0;
}
BenchmarkRunner.Run<SingleLeafletBench>(args: args.Length > 0 && args[0] == "single" ? args[1..] : args);
return 0;
