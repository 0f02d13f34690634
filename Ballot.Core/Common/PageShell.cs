using static System.Net.WebUtility;

namespace Ballot.Core.Common;

/// <summary>
/// The one page shell of the pages outside the staff console: the member's voting and unsubscribe pages (API) and the
/// worker's sign-in. Plain HTML with one &lt;style&gt; and no script, so every page works without JavaScript; the API
/// gives that style tag the request's CSP nonce (NoncedHtml). The staff console's Razor layout loads script and a
/// stylesheet and needs a signed-in user, and the worker has no Razor, hence this shell beside it.
/// </summary>
public static class PageShell
{
    /// <param name="site">who the page is from, in its banner and after its title: the union, or the worker.</param>
    /// <param name="body">HTML, already encoded.</param>
    public static string Render(string site, string title, string heading, string body) => $$"""
        <!DOCTYPE html>
        <html lang="en">
        <head>
        <meta charset="utf-8">
        <meta name="viewport" content="width=device-width, initial-scale=1">
        <meta name="referrer" content="no-referrer">
        <title>{{HtmlEncode(title)}} | {{HtmlEncode(site)}}</title>
        <style>
        body { font-family: system-ui, sans-serif; font-size: 1.125rem; line-height: 1.5; color: #1a1a1a; background: #fff; margin: 0; }
        header { background: #1d3557; color: #fff; padding: 0.75rem 1rem; }
        header p { margin: 0; font-weight: bold; }
        main { max-width: 40rem; margin: 0 auto; padding: 1rem; }
        h1 { font-size: 1.6rem; line-height: 1.25; }
        fieldset { border: 2px solid #444; border-radius: 6px; margin: 1rem 0; padding: 0.75rem 1rem; }
        legend { font-weight: bold; padding: 0 0.25rem; }
        .option { display: flex; align-items: center; gap: 0.6rem; margin: 0.5rem 0; }
        .option input { width: 1.5rem; height: 1.5rem; margin: 0; }
        .option label { flex: 1; padding: 0.35rem 0; }
        input[type=text], input[type=password] { font: inherit; padding: 0.4rem; max-width: 100%; box-sizing: border-box; }
        button { font: inherit; font-weight: bold; color: #fff; background: #1d3557; border: 0; border-radius: 6px; padding: 0.8rem 1.4rem; cursor: pointer; }
        button:focus, input:focus, a:focus { outline: 3px solid #e76f00; outline-offset: 2px; }
        a { color: #0b4f9c; }
        dt { font-weight: bold; }
        dd { margin: 0 0 0.5rem 0; }
        [role=alert] { color: #a00; }
        .statement { font-style: italic; }
        .receipt { font-family: ui-monospace, monospace; font-size: 1.6rem; font-weight: bold; letter-spacing: 0.05em; }
        </style>
        </head>
        <body>
        <header><p>{{HtmlEncode(site)}}</p></header>
        <main>
        <h1>{{HtmlEncode(heading)}}</h1>
        {{body}}
        </main>
        </body>
        </html>
        """;
}
