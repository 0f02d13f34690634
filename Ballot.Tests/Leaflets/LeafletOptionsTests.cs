using Ballot.Tests.Infrastructure;
using Microsoft.Extensions.Options;

namespace Ballot.Tests.Leaflets;

public sealed class LeafletOptionsTests
{
    [Test]
    public void Start_up_stops_when_the_leaflet_output_folder_is_a_file()
    {
        var file = Path.GetTempFileName();
        try
        {
            var e = Assert.ThrowsAsync<OptionsValidationException>(async () =>
                await ApiHost.StartAsync(s => s["Leaflets:OutputFolder"] = file));
            Assert.That(e!.Message, Does.Contain("Leaflets:OutputFolder"));
        }
        finally
        {
            File.Delete(file);
        }
    }
}
