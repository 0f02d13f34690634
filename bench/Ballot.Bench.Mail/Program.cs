// Mail benchmarks.
//   throughput: a personalised mailing to N members (default 450,000) sent by the real worker process
//     (dotnet Ballot.Worker.dll) to Postfix's smtp-sink on loopback, beside the ceiling measured in the same run: a bare
//     MailKit loop composing and sending the same letters to the same server over the same number of connections.
//     Also reports the worker's memory (VmRSS sampled each second, and VmHWM, its peak).
//     dotnet run -c Release --project bench/Ballot.Bench.Mail -- throughput [--members 450000] [--runs 1] [--connections 4] [--engine sqlite|postgres]
//   render: BenchmarkDotNet, one personalised letter (template + Markdown to HTML and text, and the whole MIME letter).
//     dotnet run -c Release --project bench/Ballot.Bench.Mail -- render
// Needs: dotnet build -c Release Ballot.sln first; smtp-sink from Debian's postfix package (apt-get install postfix).
using Ballot.Bench.Mail;
using BenchmarkDotNet.Running;

var mode = args.FirstOrDefault() ?? "throughput";
if (mode == "render")
{
    BenchmarkRunner.Run<RenderBench>(args: args[1..]);
    return 0;
}
return await Throughput.RunAsync(args.Skip(1).ToArray());
