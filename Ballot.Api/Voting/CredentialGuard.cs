using System.Globalization;
using System.Threading.RateLimiting;
using Ballot.Core.Ballots;
using Microsoft.Extensions.Options;

namespace Ballot.Api.Voting;

/// <summary>
/// Slows down credential guessing: failed lookups (unknown credentials) are counted per client address in a fixed
/// window, with the partitioned rate limiter ASP.NET Core's own middleware is built on. The middleware limits every
/// request; here only failures count, so a school sharing one address can still vote. See docs/decisions/0204.
/// </summary>
public sealed class CredentialGuard : IDisposable
{
    private readonly PartitionedRateLimiter<string> _failures;

    public CredentialGuard(IOptions<BallotOptions> options)
    {
        var limit = options.Value.FailedLookupsPerMinute;
        _failures = PartitionedRateLimiter.Create<string, string>(ip => RateLimitPartition.GetFixedWindowLimiter(ip, _ =>
            new FixedWindowRateLimiterOptions { PermitLimit = limit, Window = TimeSpan.FromMinutes(1), QueueLimit = 0, AutoReplenishment = true }));
    }

    private static readonly TimeSpan RetryAfter = TimeSpan.FromMinutes(1);

    /// <summary>
    /// The client's address as the forwarded-headers middleware leaves it (the real client behind a trusted proxy). IPv6
    /// clients are counted per /64: one subscriber usually holds a whole /64 and could otherwise try every address in it.
    /// </summary>
    private static string Client(HttpContext http) => Partition(http.Connection.RemoteIpAddress);

    public static string Partition(System.Net.IPAddress? ip)
    {
        if (ip is null) return "unknown";
        if (ip.IsIPv4MappedToIPv6) ip = ip.MapToIPv4();
        if (ip.AddressFamily != System.Net.Sockets.AddressFamily.InterNetworkV6) return ip.ToString();
        var bytes = ip.GetAddressBytes();
        Array.Clear(bytes, 8, 8);
        return new System.Net.IPAddress(bytes) + "/64";
    }

    /// <summary>
    /// Counts a failed lookup; true when this client has used up its failures for the window: answer 429, not 404, and
    /// the response already says when to retry. Called only after the credential was looked up and not found, so a
    /// valid credential is never refused for the address it comes from: a school or a carrier's shared address cannot
    /// be locked out by someone else's guesses.
    /// </summary>
    public bool Fail(HttpContext http)
    {
        using var lease = _failures.AttemptAcquire(Client(http));
        if (lease.IsAcquired) return false;
        http.Response.Headers.RetryAfter = ((int)RetryAfter.TotalSeconds).ToString(CultureInfo.InvariantCulture);
        return true;
    }

    public void Dispose() => _failures.Dispose();
}
