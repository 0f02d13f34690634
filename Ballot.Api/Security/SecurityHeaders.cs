using System.Security.Cryptography;
using System.Text;
using System.Text.RegularExpressions;

namespace Ballot.Api.Security;

/// <summary>
/// Response headers for every answer, decided by what is sent rather than by route, so pages added later (the staff
/// console) are covered without a list to keep: HTML gets a Content-Security-Policy that allows no inline script or
/// style unless it carries this request's nonce (<see cref="CspNonce"/>), nothing else gets a policy that allows
/// nothing; every answer is no-store, sends no referrer, is not sniffed and cannot be framed. See
/// docs/decisions/0241-security-headers.md.
/// </summary>
public sealed partial class SecurityHeaders(RequestDelegate next)
{
    private const string NonceKey = "ballot.csp-nonce";
    private const string ScriptHashesKey = "ballot.csp-script-hashes";

    /// <summary>The Scalar API reference (/docs/api) is generated HTML with an inline module script: its hash is allowed, nothing else.</summary>
    private static readonly PathString ApiReference = "/docs/api";

    public static string CspNonce(HttpContext http)
    {
        if (http.Items[NonceKey] is string n) return n;
        var nonce = Convert.ToBase64String(RandomNumberGenerator.GetBytes(16));
        http.Items[NonceKey] = nonce;
        return nonce;
    }

    public async Task InvokeAsync(HttpContext http)
    {
        http.Response.OnStarting(() =>
        {
            Apply(http);
            return Task.CompletedTask;
        });
        if (!http.Request.Path.StartsWithSegments(ApiReference))
        {
            await next(http);
            return;
        }
        // Buffered so the inline scripts' hashes can go into the header before the body leaves.
        var body = http.Response.Body;
        using var buffer = new MemoryStream();
        http.Response.Body = buffer;
        try
        {
            await next(http);
        }
        finally
        {
            http.Response.Body = body;
        }
        if (IsHtml(http.Response.ContentType))
        {
            var html = Encoding.UTF8.GetString(buffer.GetBuffer(), 0, (int)buffer.Length);
            var hashes = InlineScripts().Matches(html).Select(m => m.Groups[1].Value).Where(s => s.Length > 0)
                .Select(s => $"'sha256-{Convert.ToBase64String(SHA256.HashData(Encoding.UTF8.GetBytes(s)))}'");
            http.Items[ScriptHashesKey] = string.Join(' ', hashes);
        }
        http.Response.ContentLength = buffer.Length;
        buffer.Position = 0;
        await buffer.CopyToAsync(body, http.RequestAborted);
    }

    private static void Apply(HttpContext http)
    {
        var h = http.Response.Headers;
        h.XContentTypeOptions = "nosniff";
        h["Referrer-Policy"] = "no-referrer";
        // Letters' links, receipts and staff data must not stay in a shared computer's cache or a proxy's.
        if (h.CacheControl.Count == 0 || IsHtml(http.Response.ContentType)) h.CacheControl = "no-store";
        // A page that sets its own, stricter policy keeps it: the mailing preview's letter is a sandboxed document that
        // only the console's own preview page may frame (Pages/Mailings/LetterHtml).
        var own = h.ContentSecurityPolicy.ToString();
        if (own.Length > 0)
        {
            h.XFrameOptions = own.Contains("frame-ancestors 'self'", StringComparison.Ordinal) ? "SAMEORIGIN" : "DENY";
            return;
        }
        h.XFrameOptions = "DENY";
        if (!IsHtml(http.Response.ContentType))
        {
            h.ContentSecurityPolicy = "default-src 'none'; frame-ancestors 'none'";
            return;
        }
        var nonce = $"'nonce-{CspNonce(http)}'";
        var hashes = http.Items[ScriptHashesKey] as string;
        var reference = hashes is not null;
        var scripts = reference ? $"{nonce} {hashes} 'self'" : $"{nonce} 'self'";
        // The API reference's script adds <style> elements as it runs; a style cannot run script, so that page alone
        // may have inline styles. Member and staff pages may not.
        var styles = reference ? "'self' 'unsafe-inline'" : $"{nonce} 'self'";
        h.ContentSecurityPolicy =
            $"default-src 'self'; script-src {scripts}; style-src {styles}; img-src 'self' data:; font-src 'self'; " +
            "object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'";
    }

    private static bool IsHtml(string? contentType) => contentType?.StartsWith("text/html", StringComparison.OrdinalIgnoreCase) == true;

    [GeneratedRegex(@"<script\b[^>]*>(.*?)</script>", RegexOptions.Singleline | RegexOptions.IgnoreCase)]
    private static partial Regex InlineScripts();
}

/// <summary>An HTML page whose own &lt;style&gt; and &lt;script&gt; tags carry the request's CSP nonce.</summary>
public sealed class NoncedHtml(string html, int status) : IResult
{
    public Task ExecuteAsync(HttpContext http)
    {
        // Only the page's own tags are written literally; members' and staff's text is HTML-encoded before it gets here.
        var nonce = SecurityHeaders.CspNonce(http);
        var page = html.Replace("<style>", $"<style nonce=\"{nonce}\">", StringComparison.Ordinal)
            .Replace("<script>", $"<script nonce=\"{nonce}\">", StringComparison.Ordinal);
        return Results.Content(page, "text/html; charset=utf-8", Encoding.UTF8, status).ExecuteAsync(http);
    }
}
