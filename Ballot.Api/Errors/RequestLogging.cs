using System.Diagnostics;

namespace Ballot.Api.Errors;

/// <summary>
/// One structured line per request with the route template, never the raw path: a voting link's credential
/// or a member's email in a query must not reach the logs.
/// </summary>
internal sealed class RequestLogging(RequestDelegate next, ILogger<RequestLogging> log)
{
    public async Task InvokeAsync(HttpContext http)
    {
        var started = Stopwatch.GetTimestamp();
        try
        {
            await next(http);
        }
        finally
        {
            var route = (http.GetEndpoint() as RouteEndpoint)?.RoutePattern.RawText ?? "(no route)";
            log.LogInformation("{Method} {Route} answered {Status} in {ElapsedMs:0.0} ms",
                http.Request.Method, route, http.Response.StatusCode, Stopwatch.GetElapsedTime(started).TotalMilliseconds);
        }
    }
}
