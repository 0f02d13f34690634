using System.Globalization;
using System.Text.Json;
using Ballot.Core.Sealing;

namespace Ballot.Api.Cli;

/// <summary>
/// Anyone can recheck a closed ballot's bulletin board (ADR 0906):
///   dotnet run --project Ballot.Api -- trustee verify --board board.json
///   dotnet run --project Ballot.Api -- trustee verify --api URL --ballot ID [--token T]
///   … [--part K/N]: only the papers whose index i has i mod N = K − 1 have their proofs checked (ADR 0908), so N machines
///   share a big board; each part still does the whole-board checks (ceremony, sums, decryptions, totals).
/// Prints "valid: …" (or "valid (part K of N): …") and exits 0, or prints the first fault and exits 1 (2 for a usage error).
/// </summary>
public static class BoardVerify
{
    private const string Usage = """
        usage:
          trustee verify --board BOARD-FILE [--part K/N]
          trustee verify --api URL --ballot ID [--token TOKEN] [--part K/N]
        Rechecks the key ceremony, every paper's proofs and tracker, the sums, each trustee's decryption shares and the
        totals, and prints "valid" or the first fault. With --part K/N only papers K, K+N, K+2N, … (counting from 1) have
        their proofs checked, so that N machines can share the work; run every part for the whole board.
        """;

    public static async Task<int> RunAsync(string[] args, TextWriter output, TextWriter error)
    {
        var partText = BoardSource.Option(args, "--part");
        if ((partText is null ? BoardPart.Whole : BoardPart.Parse(partText)) is not { } part)
        {
            error.WriteLine($"--part takes K/N with 1 ≤ K ≤ N, not {partText}.");
            error.WriteLine(Usage);
            return 2;
        }
        if (BoardSource.Usable(args) is { } problem)
        {
            error.WriteLine(problem);
            error.WriteLine(Usage);
            return 2;
        }
        try
        {
            var board = await BoardSource.LoadAsync(args, ballotId: null);
            var verdict = BoardVerifier.Verify(board, part);
            (verdict.Valid ? output : error).WriteLine(verdict.Message);
            return verdict.Valid ? 0 : 1;
        }
        catch (BoardSource.Unreadable e)
        {
            error.WriteLine(e.Message);
            return 1;
        }
    }
}

/// <summary>Where a board comes from: a file (--board) or the server (GET /api/ballots/{id}/board), read with <see cref="SealingJson"/>.</summary>
internal static class BoardSource
{
    public sealed class Unreadable(string message) : Exception(message);

    public static string? Usable(string[] args) =>
        Option(args, "--board") is not null || (Option(args, "--api") is not null && (Option(args, "--ballot") is null || long.TryParse(Option(args, "--ballot"), out _)))
            ? null
            : "Give the board as --board FILE, or fetch it with --api URL --ballot ID.";

    public static async Task<Board> LoadAsync(string[] args, long? ballotId)
    {
        try
        {
            if (Option(args, "--board") is { } file)
            {
                if (!File.Exists(file)) throw new Unreadable($"There is no board file {file}.");
                await using var stream = File.OpenRead(file);
                return await JsonSerializer.DeserializeAsync<Board>(stream, SealingJson.Options) ?? throw new Unreadable($"{file} is empty.");
            }
            var id = Option(args, "--ballot") is { } text ? long.Parse(text, CultureInfo.InvariantCulture)
                : ballotId ?? throw new Unreadable("Say which ballot: --ballot ID.");
            using var http = Client(args);
            using var response = await http.GetAsync($"api/ballots/{id}/board", HttpCompletionOption.ResponseHeadersRead);
            if (!response.IsSuccessStatusCode)
                throw new Unreadable($"The server refused the board of ballot {id} ({(int)response.StatusCode}): {await response.Content.ReadAsStringAsync()}");
            await using var body = await response.Content.ReadAsStreamAsync();
            return await JsonSerializer.DeserializeAsync<Board>(body, SealingJson.Options) ?? throw new Unreadable("The server's board is empty.");
        }
        catch (Exception e) when (e is JsonException or FormatException or NotSupportedException)
        {
            throw new Unreadable($"The board does not read as a ballot board: {e.Message}");
        }
        catch (Exception e) when (e is HttpRequestException or TaskCanceledException or IOException or UnauthorizedAccessException)
        {
            throw new Unreadable(e.Message);
        }
    }

    // A board of a million papers takes minutes to stream, and a trustee's shares to check.
    public static HttpClient Client(string[] args) =>
        TrusteeHttp.Client(Option(args, "--api") ?? throw new Unreadable("--api URL is needed to reach the server."), TrusteeHttp.Token(args), TimeSpan.FromMinutes(10));

    public static string? Option(string[] args, string name) => TrusteeHttp.Option(args, name);
}
