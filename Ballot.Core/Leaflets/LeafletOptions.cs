using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;

namespace Ballot.Core.Leaflets;

public sealed class LeafletOptions
{
    public const string Section = "Leaflets";

    /// <summary>Where bulk zips are kept; unset means leaflets/ beside the SQLite file, else data/leaflets.</summary>
    public string? OutputFolder { get; set; }
}

public static class LeafletsSetup
{
    /// <summary>Leaflet options (checked at start-up) and the worker's bulk job.</summary>
    public static IHostApplicationBuilder AddLeaflets(this IHostApplicationBuilder builder)
    {
        builder.Services.AddOptions<LeafletOptions>().Bind(builder.Configuration.GetSection(LeafletOptions.Section))
            .Validate(o => string.IsNullOrWhiteSpace(o.OutputFolder)
                    || (o.OutputFolder.IndexOfAny(Path.GetInvalidPathChars()) < 0 && !File.Exists(o.OutputFolder)),
                "Leaflets:OutputFolder must be a folder path, not a file (or left out, to keep zips beside the database).")
            .ValidateOnStart();
        builder.Services.AddSingleton<LeafletFiles>();
        builder.Services.AddSingleton<BulkLeafletRunner>();
        return builder;
    }
}
