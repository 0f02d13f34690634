namespace Ballot.Api.Endpoints;

/// <summary>A feature's group of endpoints, mapped at start-up.</summary>
public interface IEndpoints
{
    static abstract void Map(IEndpointRouteBuilder app);
}

public static class EndpointExtensions
{
    /// <summary>Only staff holding one of these roles may call the endpoint (401 without a token, 403 with another role).</summary>
    public static TBuilder RequireRoles<TBuilder>(this TBuilder builder, params string[] roles) where TBuilder : IEndpointConventionBuilder =>
        builder.RequireAuthorization(p => p.RequireRole(roles));
}
