using System.Reflection;
using System.Text.Json;
using System.Text.Json.Serialization;
using Ballot.Api.Auth;
using Ballot.Api.Endpoints;
using Ballot.Api.Errors;
using Ballot.Core;
using Ballot.Core.Data;
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
        var builder = WebApplication.CreateBuilder(new WebApplicationOptions { Args = args, ContentRootPath = AppContext.BaseDirectory });
        builder.Logging.ClearProviders();
        builder.Logging.AddJsonConsole(o => o.IncludeScopes = false);
        builder.AddBallotCore();
        builder.Services.Configure<JsonOptions>(o => ConfigureJson(o.SerializerOptions));
        builder.Services.Configure<RouteHandlerOptions>(o => o.ThrowOnBadRequest = true);
        builder.Services.AddProblemDetails(o => o.CustomizeProblemDetails = ctx =>
        {
            ctx.ProblemDetails.Instance ??= ctx.HttpContext.Request.Path;
            ctx.ProblemDetails.Extensions["traceId"] = ctx.HttpContext.TraceIdentifier;
        });
        builder.Services.AddExceptionHandler<ProblemExceptionHandler>();
        builder.AddStaffAuthentication();
        builder.Services.AddOpenApi(o => o.AddDocumentTransformer<BearerSchemeTransformer>());
        configure?.Invoke(builder);

        var app = builder.Build();
        app.Services.GetRequiredService<Migrator>().Migrate();

        app.UseMiddleware<RequestLogging>();
        app.UseExceptionHandler();
        app.UseStatusCodePages();
        app.UseAuthentication();
        app.UseAuthorization();

        app.MapOpenApi("/openapi/{documentName}.json");
        app.MapScalarApiReference("/docs/api", o => o.WithTitle("Ballot API").WithOpenApiRoutePattern("/openapi/{documentName}.json"));
        MapAllEndpoints(app);
        return app;
    }

    public static void ConfigureJson(JsonSerializerOptions o)
    {
        o.PropertyNamingPolicy = JsonNamingPolicy.CamelCase;
        o.Converters.Add(new JsonStringEnumConverter(JsonNamingPolicy.KebabCaseLower));
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
