using System.Text;
using System.Text.Json;
using Ballot.Core.Sealing;

namespace Ballot.Api.Cli;

/// <summary>
/// A trustee's part of the count, on their own machine (ADR 0901, 0906):
///   dotnet run --project Ballot.Api -- trustee decrypt --file share.json --board board.json --out decryption.json
///   dotnet run --project Ballot.Api -- trustee decrypt --file share.json --api URL [--ballot ID] [--token T] [--out FILE]
/// It decrypts only sums it has recomputed itself from the board's verified papers: decrypting a "sum" handed over by
/// the server could open a single vote. The decryption goes to --out and, with --api, to POST /api/ballots/{id}/decryptions.
/// </summary>
public static class TrusteeDecrypt
{
    public const string PassphraseVariable = TrusteeCli.PassphraseVariable;

    private const string Usage = """
        usage:
          trustee decrypt --file SHARE-FILE --board BOARD-FILE --out DECRYPTION-FILE
          trustee decrypt --file SHARE-FILE --api URL [--ballot ID] [--out DECRYPTION-FILE]
        Checks the board (ceremony, every paper, the sums) against your share file's key, decrypts the sums it recomputed,
        and writes your decryption shares (with their one proof) to --out and/or sends them to the server (--api, with --token or BALLOT_TOKEN).
        The passphrase is asked for without echo, or read from BALLOT_TRUSTEE_PASSPHRASE.
        """;

    public static async Task<int> RunAsync(string[] args, TextWriter output, TextWriter error)
    {
        var file = BoardSource.Option(args, "--file");
        var outFile = BoardSource.Option(args, "--out");
        var api = BoardSource.Option(args, "--api");
        if (file is null || BoardSource.Usable(args) is not null || (outFile is null && api is null))
        {
            error.WriteLine(Usage);
            return 2;
        }
        try
        {
            if (!File.Exists(file)) throw new TrusteeCli.Refused($"There is no share file {file}.");
            var passphrase = TrusteeCli.ReadPassphrase(error, confirm: false);
            var me = Trustee.Restore(ShareFile.Read(File.ReadAllBytes(file), passphrase));
            if (!me.IsFinished) throw new TrusteeCli.Refused("This share file has not finished the key ceremony: run trustee finish first.");
            var ballotId = me.Settings.BallotId;

            var board = await BoardSource.LoadAsync(args, ballotId);
            if (board.BallotId != ballotId || board.Ceremony != me.Settings)
                throw new TrusteeCli.Refused($"This board is for ballot {board.BallotId} ({board.Ceremony.Threshold} of {board.Ceremony.Trustees}); your share is for ballot {ballotId} ({me.Settings.Threshold} of {me.Settings.Trustees}).");
            // The key the trustee finished the ceremony with is the reference, not whatever the board says.
            if (board.Key is not { } key || !key.PublicKey.Equals(me.Key.PublicKey) || !key.VerificationKeys.SequenceEqual(me.Key.VerificationKeys))
                throw new TrusteeCli.Refused($"The board's key is not the one your share belongs to (fingerprint {me.Key.Fingerprint}). Nothing was decrypted.");
            output.WriteLine($"Ballot {ballotId}: checking the ceremony and {board.Papers.Count} papers before decrypting anything…");
            var fault = BoardVerifier.CheckCeremony(board, out _);
            var shapeFault = BoardVerifier.CheckShape(board, out var constituencies);
            fault ??= shapeFault ?? BoardVerifier.CheckPapers(board);
            if (fault is not null) throw new TrusteeCli.Refused($"The board fails its checks: {fault} Nothing was decrypted; tell the scrutineer.");
            var sums = BoardVerifier.RecomputeSums(board, constituencies);
            if (BoardVerifier.CompareSums(board, sums) is { } sumFault)
                throw new TrusteeCli.Refused($"{sumFault} Nothing was decrypted; tell the scrutineer.");

            var decryption = me.Decrypt(SealingContext.ForBallot(ballotId), sums);
            var json = JsonSerializer.SerializeToUtf8Bytes(decryption, SealingJson.Options);
            output.WriteLine($"Decrypted {sums.Length} sums of {constituencies.Length} constituencies as trustee {me.Index}, with one proof for them all; no single paper was decrypted.");
            if (outFile is not null)
            {
                await File.WriteAllBytesAsync(outFile, json);
                output.WriteLine($"Your decryption shares are in {outFile}.");
            }
            if (api is not null)
            {
                using var http = BoardSource.Client(args);
                using var response = await http.PostAsync($"api/ballots/{ballotId}/decryptions", new ByteArrayContent(json) { Headers = { ContentType = new("application/json") { CharSet = Encoding.UTF8.WebName } } });
                if (!response.IsSuccessStatusCode)
                    throw new TrusteeCli.Refused($"The server refused the decryption ({(int)response.StatusCode}): {await response.Content.ReadAsStringAsync()}");
                output.WriteLine("Sent to the server. The count is done when enough trustees have sent theirs.");
            }
            return 0;
        }
        catch (Exception e) when (e is TrusteeCli.Refused or BoardSource.Unreadable or WrongPassphraseException or FormatException or SealingException
                                       or HttpRequestException or TaskCanceledException or IOException or UnauthorizedAccessException)
        {
            error.WriteLine(e.Message);
            return 1;
        }
    }
}
