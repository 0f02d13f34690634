using System.Net;
using System.Net.Http.Headers;
using Ballot.Core.Staff;
using Ballot.Tests.Infrastructure;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Routing;

namespace Ballot.Tests.Foundation;

/// <summary>
/// Walks every endpoint the API maps: with no token it must answer 401, with a role it does not admit 403,
/// and with a role it admits anything but 401/403. New endpoints are covered without editing this test.
/// </summary>
public sealed class RoleMatrixTests
{
    private ApiHost _api = null!;

    /// <summary>Routes meant for members or the public. Everything else under /api must name its roles.</summary>
    private static readonly string[] PublicPrefixes = ["/health", "/openapi", "/docs", "/vote", "/unsubscribe", "/api/votes", "/api/ballots/{id}/receipts", "/api/ballots/{id}/result", "/api/ping",
        "/api/ballots/{id}/certificate", "/api/certification-key",   // the certificate and its key are published for anyone to check (ADR 0230)
        "/api/ballots/{id}/board"];   // the bulletin board, from close, for anyone to verify (ADR 0904)

    [OneTimeSetUp]
    public async Task Start() => _api = await ApiHost.StartAsync();

    [OneTimeTearDown]
    public async Task Stop() => await _api.DisposeAsync();

    private sealed record Route(string Method, string Pattern, string[] Roles);

    private List<Route> Routes()
    {
        var sources = _api.App.Services.GetRequiredService<IEnumerable<EndpointDataSource>>();
        var routes = new List<Route>();
        foreach (var e in sources.SelectMany(s => s.Endpoints).OfType<RouteEndpoint>())
        {
            var methods = e.Metadata.GetMetadata<HttpMethodMetadata>()?.HttpMethods ?? ["GET"];
            var roles = e.Metadata.GetOrderedMetadata<IAuthorizeData>().SelectMany(a => (a.Roles ?? "").Split(',', StringSplitOptions.RemoveEmptyEntries))
                .Concat(e.Metadata.GetOrderedMetadata<AuthorizationPolicy>().SelectMany(p => p.Requirements.OfType<Microsoft.AspNetCore.Authorization.Infrastructure.RolesAuthorizationRequirement>()).SelectMany(r => r.AllowedRoles))
                .Distinct().ToArray();
            foreach (var m in methods) routes.Add(new Route(m, "/" + e.RoutePattern.RawText!.TrimStart('/'), roles));
        }
        return routes;
    }

    [Test]
    public void Every_staff_endpoint_names_the_roles_that_may_call_it()
    {
        var unguarded = Routes().Where(r => r.Pattern.StartsWith("/api", StringComparison.Ordinal) && r.Roles.Length == 0
            && !PublicPrefixes.Any(p => r.Pattern.StartsWith(p, StringComparison.Ordinal))).ToList();
        Assert.That(unguarded, Is.Empty, "endpoints under /api without a role requirement");
        Assert.That(Routes().Count(r => r.Roles.Length > 0), Is.GreaterThanOrEqualTo(6));
    }

    [Test]
    public async Task No_token_wrong_role_and_right_role_for_every_endpoint()
    {
        var failures = new List<string>();
        foreach (var route in Routes().Where(r => r.Roles.Length > 0))
        {
            var path = System.Text.RegularExpressions.Regex.Replace(route.Pattern, "{[^}]+}", "1");
            async Task<HttpStatusCode> Call(string? role)
            {
                using var client = new HttpClient { BaseAddress = _api.BaseAddress };
                if (role is not null) client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", await _api.TokenFor(role));
                using var request = new HttpRequestMessage(new HttpMethod(route.Method), path);
                if (route.Method is "POST" or "PUT" or "PATCH") request.Content = Http.JsonBody("{}");
                return (await client.SendAsync(request)).StatusCode;
            }
            var none = await Call(null);
            if (none != HttpStatusCode.Unauthorized) failures.Add($"{route.Method} {route.Pattern} without a token: {(int)none}");
            foreach (var wrong in Roles.All.Except(route.Roles))
            {
                var s = await Call(wrong);
                if (s != HttpStatusCode.Forbidden) failures.Add($"{route.Method} {route.Pattern} as {wrong}: {(int)s}");
            }
            foreach (var right in route.Roles)
            {
                var s = await Call(right);
                if (s is HttpStatusCode.Unauthorized or HttpStatusCode.Forbidden or HttpStatusCode.InternalServerError)
                    failures.Add($"{route.Method} {route.Pattern} as {right}: {(int)s}");
            }
        }
        Assert.That(failures, Is.Empty);
    }
}
