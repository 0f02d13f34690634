using BenchmarkDotNet.Attributes;
using BenchmarkDotNet.Engines;
using Ballot.Core.Leaflets;
using Ballot.Core.Leaflets.Composition;

/// <summary>
/// The console editor's preview: page 1 of the sample leaflet laid out as the PDF is and drawn onto a raster surface,
/// encoded as PNG at the width the editor shows (600 px), as <see cref="PreviewLeaflet"/> does after its one read.
/// </summary>
[MemoryDiagnoser, MedianColumn, MinColumn, MaxColumn]
[SimpleJob(RunStrategy.Throughput, launchCount: 1, warmupCount: 5, iterationCount: 15)]
public class PreviewBench
{
    private int _n;

    [GlobalSetup]
    public void Setup()
    {
        var png = Preview();
        Console.WriteLine($"// preview: {png.Width}×{png.Height} px of {png.Pages} pages, {png.Png.Length / 1024.0:0.0} KB");
    }

    /// <summary>Each call a slightly different headline, as an organiser's edits are (no cached shaping of the whole text).</summary>
    [Benchmark]
    public RenderedImage Preview()
    {
        var i = Interlocked.Increment(ref _n);
        var content = SampleCampaign.Content with { Headline = $"{SampleCampaign.Content.Headline} ({i})" };
        return LeafletComposer.Compose(SampleCampaign.Look, "parents", "en", content, new LeafletTarget(0, PreviewLeaflet.SampleSchool, null), PageSize.A4)
            .RenderPng(1, 600);
    }
}
