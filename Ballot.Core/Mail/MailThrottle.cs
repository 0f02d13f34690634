using System.Diagnostics;
using Microsoft.Extensions.Options;

namespace Ballot.Core.Mail;

/// <summary>
/// One per worker process, shared by every mailing it sends: at most Mail:MaxConnections SMTP sessions at once and
/// Mail:RatePerSecond letters per second, spread evenly (a burst of at most 50 ms' worth after an idle spell).
/// </summary>
public sealed class MailThrottle
{
    private readonly Lock _lock = new();
    private readonly long _interval;
    private readonly long _burst;
    private long _next;

    public MailThrottle(IOptions<MailOptions> options)
    {
        var o = options.Value;
        Connections = new SemaphoreSlim(o.MaxConnections, o.MaxConnections);
        _interval = o.RatePerSecond > 0 ? (long)(Stopwatch.Frequency / o.RatePerSecond) : 0;
        _burst = Math.Max(_interval, Stopwatch.Frequency / 20);
    }

    public SemaphoreSlim Connections { get; }

    public async ValueTask PaceAsync(CancellationToken ct)
    {
        if (_interval == 0) return;
        var now = Stopwatch.GetTimestamp();
        long slot;
        lock (_lock)
        {
            if (_next < now - _burst) _next = now - _burst;
            slot = _next;
            _next += _interval;
        }
        var wait = Stopwatch.GetElapsedTime(now, slot);
        if (wait > TimeSpan.FromMilliseconds(1)) await Task.Delay(wait, ct);
    }
}
