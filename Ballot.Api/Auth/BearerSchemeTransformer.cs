using Microsoft.AspNetCore.OpenApi;
using Microsoft.OpenApi;

namespace Ballot.Api.Auth;

/// <summary>Tells the OpenAPI document (and so the reference page) that staff endpoints take a bearer token.</summary>
internal sealed class BearerSchemeTransformer : IOpenApiDocumentTransformer
{
    public Task TransformAsync(OpenApiDocument document, OpenApiDocumentTransformerContext context, CancellationToken cancellationToken)
    {
        document.Components ??= new OpenApiComponents();
        document.Components.SecuritySchemes ??= new Dictionary<string, IOpenApiSecurityScheme>();
        document.Components.SecuritySchemes["bearer"] = new OpenApiSecurityScheme
        {
            Type = SecuritySchemeType.Http,
            Scheme = "bearer",
            Description = "A staff token from `dotnet run --project Ballot.Api -- tokens create`.",
        };
        document.Security ??= [];
        document.Security.Add(new OpenApiSecurityRequirement { [new OpenApiSecuritySchemeReference("bearer", document)] = [] });
        document.Info.Title = "Ballot API";
        document.Info.Description = "Union member register, mailings, secret ballots, leaflets and conference motions.";
        return Task.CompletedTask;
    }
}
