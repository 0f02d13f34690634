using System.Reflection;
using System.Text.Json;
using System.Text.Json.Serialization;
using System.Text.Json.Serialization.Metadata;
using Ballot.Api.Auth;
using Ballot.Api.StaffConsole;
using Ballot.Api.Endpoints;
using Ballot.Api.Errors;
using Ballot.Core;
using Ballot.Core.Data;
using Microsoft.AspNetCore.HttpOverrides;
using Microsoft.AspNetCore.Http.Json;
using Scalar.AspNetCore;

namespace Ballot.Api;

/// <summary>Builds the API host. Tests call this with their own configuration and a free port.</summary>
public static class BallotApi
{
    public static WebApplication Build(string[] args, Action<WebApplicationBuilder>? configure = null)
    {
        // appsettings.json is read from beside the binary, whatever the working directory;
        // a relative SQLite path ("data/ballot.db") is relative to the working directory.
        var builder = WebApplication.CreateBuilder(new WebApplicationOptions
        {
            Args = args, ContentRootPath = AppContext.BaseDirectory,
            // Razor Pages are found in the application's assembly; under a test host the entry assembly is another.
            ApplicationName = typeof(BallotApi).Assembly.GetName().Name,
        });
        builder.Logging.ClearProviders();
        builder.Logging.AddJsonConsole(o => o.IncludeScopes = false);
        // These log the raw request path, so a voting link's credential or an unsubscribe token, at Information or
        // Debug. Pinned here, after configuration, so turning logging up cannot put live links in the logs;
        // RequestLogging writes the route template instead (issue 11, flaw 6).
        foreach (var category in PathLoggingCategories) builder.Logging.AddFilter(category, LogLevel.Warning);
        builder.AddBallotCore();
        RequireCertificationKey(builder);
        builder.Services.Configure<JsonOptions>(o => ConfigureJson(o.SerializerOptions));
        builder.Services.Configure<RouteHandlerOptions>(o => o.ThrowOnBadRequest = true);
        builder.Services.AddProblemDetails(o => o.CustomizeProblemDetails = ctx =>
        {
            ctx.ProblemDetails.Instance ??= ctx.HttpContext.Request.Path;
            ctx.ProblemDetails.Extensions["traceId"] = ctx.HttpContext.TraceIdentifier;
        });
        builder.Services.AddExceptionHandler<ProblemExceptionHandler>();
        builder.Services.AddHostedService<Ballot.Api.Voting.ElectorIndexWarmup>();
        builder.Services.AddSingleton<Ballot.Api.Voting.CredentialGuard>();
        builder.AddStaffConsole(builder.AddStaffAuthentication());
        ConfigureForwardedHeaders(builder);
        builder.Services.AddOpenApi(o => o.AddDocumentTransformer<BearerSchemeTransformer>());
        configure?.Invoke(builder);

        var app = builder.Build();
        app.Services.GetRequiredService<Migrator>().Migrate();
        // Loaded (or created, 0600) now: a bad key file stops start-up rather than the scrutineer's certification.
        app.Services.GetRequiredService<Ballot.Core.Ballots.ScrutineerKey>();

        app.UseForwardedHeaders();
        if (!app.Environment.IsDevelopment()) app.UseHsts();
        app.UseMiddleware<RequestLogging>();
        app.UseMiddleware<Ballot.Api.Security.SecurityHeaders>();
        // Pages for people get an error page; the JSON API gets problem details (ProblemExceptionHandler leaves pages alone).
        app.UseExceptionHandler(new ExceptionHandlerOptions { ExceptionHandlingPath = "/error" });
        app.Use(NoNulStrings.InQuery);
        app.UseStatusCodePages();
        app.UseWhen(ctx => !ConsoleSetup.IsApi(ctx.Request.Path), b => b.UseStatusCodePagesWithReExecute("/error/{0}"));
        // Routing after the error handlers, so a re-executed error page is routed again.
        app.UseRouting();
        app.UseAuthentication();
        app.UseStaffConsole();
        app.UseAuthorization();

        app.MapOpenApi("/openapi/{documentName}.json");
        app.MapScalarApiReference("/docs/api", o => o.WithTitle("Ballot API").WithOpenApiRoutePattern("/openapi/{documentName}.json")
            .DisableDefaultFonts());   // no request to fonts.scalar.com: the policy allows fonts from here only
        MapAllEndpoints(app);
        app.MapRazorPages();
        return app;
    }

    private static readonly string[] PathLoggingCategories =
    [
        "Microsoft.AspNetCore.Hosting.Diagnostics", "Microsoft.AspNetCore.Routing.Matching", "Microsoft.AspNetCore.Server.Kestrel.BadRequests",
        "Microsoft.AspNetCore.HttpLogging", "Microsoft.AspNetCore.HttpsPolicy",
    ];

    /// <summary>
    /// Only the API certifies, so only the API needs the scrutineer's signing key: on PostgreSQL there is no SQLite file to
    /// keep a key file beside, so it must be configured (docs/decisions/0230-anchored-audit-chain.md).
    /// </summary>
    private static void RequireCertificationKey(WebApplicationBuilder builder) =>
        builder.Services.AddOptions<Ballot.Core.Ballots.BallotOptions>()
            .Validate<Microsoft.Extensions.Options.IOptions<DatabaseOptions>>((o, database) => Db.DetectEngine(database.Value.ConnectionString) != Engine.Postgres
                    || !string.IsNullOrWhiteSpace(o.CertificationKey) || Path.IsPathRooted(o.CertificationKeyFile ?? ""),
                "Ballots:CertificationKey is required in the API on PostgreSQL: the scrutineer's ECDSA P-256 private key (PEM), or an absolute Ballots:CertificationKeyFile.")
            .ValidateOnStart();

    /// <summary>
    /// Behind a reverse proxy every request comes from the proxy's address: X-Forwarded-For/-Proto are honoured from the
    /// proxies named in ForwardedHeaders:KnownProxies / KnownNetworks (comma-separated; loopback is always trusted), so
    /// the credential guard counts failures per real client (docs/operations.md).
    /// </summary>
    private static void ConfigureForwardedHeaders(WebApplicationBuilder builder)
    {
        static IEnumerable<string> Values(IConfiguration c, string key) =>
            (c[key] ?? "").Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)
                .Concat(c.GetSection(key).GetChildren().Select(x => x.Value).OfType<string>());
        var proxies = new List<System.Net.IPAddress>();
        foreach (var v in Values(builder.Configuration, "ForwardedHeaders:KnownProxies"))
            proxies.Add(System.Net.IPAddress.TryParse(v, out var ip) ? ip
                : throw new InvalidOperationException($"ForwardedHeaders:KnownProxies: '{v}' is not an IP address."));
        var networks = new List<System.Net.IPNetwork>();
        foreach (var v in Values(builder.Configuration, "ForwardedHeaders:KnownNetworks"))
            networks.Add(System.Net.IPNetwork.TryParse(v, out var n) ? n
                : throw new InvalidOperationException($"ForwardedHeaders:KnownNetworks: '{v}' is not a CIDR range such as 10.0.0.0/8."));
        builder.Services.Configure<ForwardedHeadersOptions>(o =>
        {
            o.ForwardedHeaders = ForwardedHeaders.XForwardedFor | ForwardedHeaders.XForwardedProto;
            foreach (var p in proxies) o.KnownProxies.Add(p);
            foreach (var n in networks) o.KnownIPNetworks.Add(n);
        });
    }

    public static void ConfigureJson(JsonSerializerOptions o)
    {
        o.PropertyNamingPolicy = JsonNamingPolicy.CamelCase;
        o.Converters.Add(new JsonStringEnumConverter(JsonNamingPolicy.KebabCaseLower));
        o.TypeInfoResolver = (o.TypeInfoResolver ?? new DefaultJsonTypeInfoResolver())
            .WithAddedModifier(NoNulStrings.Modifier);
        // A misspelt field is an error the caller should hear about, not something silently dropped.
        o.UnmappedMemberHandling = JsonUnmappedMemberHandling.Disallow;
    }

    /// <summary>Every feature's endpoints implement <see cref="IEndpoints"/>; they are found here so Program stays short.</summary>
    private static void MapAllEndpoints(WebApplication app)
    {
        var groups = typeof(BallotApi).Assembly.GetTypes()
            .Where(t => t is { IsClass: true, IsAbstract: false } && typeof(IEndpoints).IsAssignableFrom(t))
            .OrderBy(t => t.Name);
        foreach (var type in groups)
            type.GetMethod(nameof(IEndpoints.Map), BindingFlags.Public | BindingFlags.Static)!.Invoke(null, [app]);
    }
}
