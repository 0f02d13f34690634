using BenchmarkDotNet.Attributes;
using BenchmarkDotNet.Engines;
using Ballot.Core.Leaflets;
using Ballot.Core.Leaflets.Composition;

[MemoryDiagnoser, MedianColumn, MinColumn, MaxColumn]
[SimpleJob(RunStrategy.Throughput, launchCount: 1, warmupCount: 5, iterationCount: 15)]
public class SingleLeafletBench
{
    private int _n;

    [GlobalSetup]
    public void Setup()
    {
        var pdf = Render();
        Console.WriteLine($"// leaflet: {pdf.Pages} pages, {pdf.Bytes.Length / 1024.0:0.0} KB");
        if (pdf.Pages != 2) throw new InvalidOperationException($"Expected a two-page leaflet, got {pdf.Pages}.");
    }

    /// <summary>Personalised: a different school and contact each time (the font subsets stay cached, as in a bulk run).</summary>
    [Benchmark]
    public RenderedPdf Render()
    {
        var i = Interlocked.Increment(ref _n);
        var target = new LeafletTarget(i, $"Hillside Primary School {i}", new LocalContact($"Jo Bloggs {i % 50}", "jo@example.org", "01234 567890"));
        return LeafletComposer.Compose(SampleCampaign.Look, "parents", "en", SampleCampaign.Content, target, PageSize.A4).Render();
    }
}
