using System.Net.Http.Headers;

namespace Ballot.Api.Cli;

/// <summary>What the trustee commands share: reading their options, and the client to the server with the trustee's staff token.</summary>
internal static class TrusteeHttp
{
    public const string TokenVariable = "BALLOT_TOKEN";

    public static string? Option(string[] args, string name)
    {
        var i = Array.IndexOf(args, name);
        return i >= 0 && i + 1 < args.Length ? args[i + 1] : null;
    }

    /// <summary>--token, or the BALLOT_TOKEN variable; null if neither is set.</summary>
    public static string? Token(string[] args) =>
        (Option(args, "--token") ?? Environment.GetEnvironmentVariable(TokenVariable)) is { } token && !string.IsNullOrWhiteSpace(token) ? token.Trim() : null;

    public static HttpClient Client(string api, string? token, TimeSpan timeout)
    {
        var http = new HttpClient { BaseAddress = new Uri(api.TrimEnd('/') + "/"), Timeout = timeout };
        if (token is not null) http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", token);
        return http;
    }
}
