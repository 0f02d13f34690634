using Microsoft.Playwright;

namespace Ballot.Tests.Console;

/// <summary>
/// Screenshots for docs/console.md, taken by the tests that reach each page when BALLOT_CONSOLE_SHOTS names a folder
/// (`BALLOT_CONSOLE_SHOTS=$PWD/docs/console dotnet test ... --filter Console`); otherwise nothing.
/// </summary>
public static class Screenshots
{
    public static async Task Take(IPage page, string name)
    {
        if (Environment.GetEnvironmentVariable("BALLOT_CONSOLE_SHOTS") is not { Length: > 0 } folder) return;
        Directory.CreateDirectory(folder);
        await page.ScreenshotAsync(new PageScreenshotOptions { Path = Path.Combine(folder, name + ".png"), FullPage = true });
    }
}
