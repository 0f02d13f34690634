using System.Globalization;
using System.Text;
using System.Text.Json.Nodes;
using Ballot.Core.Sealing;

namespace Ballot.Api.Cli;

/// <summary>
/// What a trustee runs on their own machine for a ballot's key ceremony (ADR 0901, 0902). The share file never leaves
/// it; the server sees only the public messages.
///   dotnet run --project Ballot.Api -- trustee init   --api URL --ballot ID --trustee I --file share.json
///   dotnet run --project Ballot.Api -- trustee deal   --api URL --file share.json [--wait]
///   dotnet run --project Ballot.Api -- trustee finish --api URL --file share.json [--wait]
/// The staff token bound to the trustee comes from --token or BALLOT_TOKEN; the passphrase from the terminal (not echoed)
/// or BALLOT_TRUSTEE_PASSPHRASE.
/// </summary>
public static class TrusteeCli
{
    public const string PassphraseVariable = "BALLOT_TRUSTEE_PASSPHRASE";
    public const string TokenVariable = TrusteeHttp.TokenVariable;

    // Tests only: Argon2id at RFC 9106's cost takes a second and 64 MiB per file; "iterations,bytes" lowers it.
    public const string TestKdfCostVariable = "BALLOT_TRUSTEE_KDF_COST_FOR_TESTS";

    private const string Usage = """
        usage:
          trustee init   --api URL --ballot ID --trustee I --file SHARE-FILE
          trustee deal   --api URL --file SHARE-FILE [--wait]
          trustee finish --api URL --file SHARE-FILE [--wait]
          trustee decrypt --file SHARE-FILE (--board FILE | --api URL --ballot ID) [--out FILE]
          trustee verify  (--board FILE | --api URL --ballot ID) [--part K/N]
        The staff token named for you comes from --token or the BALLOT_TOKEN variable; the passphrase (12 characters at
        least) is asked for without echo, or read from BALLOT_TRUSTEE_PASSPHRASE.
        """;

    public static async Task<int> RunAsync(string[] args, TextWriter output, TextWriter error)
    {
        var verb = args.FirstOrDefault();
        if (verb == "decrypt") return await TrusteeDecrypt.RunAsync(args, output, error);
        if (verb == "verify") return await BoardVerify.RunAsync(args, output, error);
        if (verb is not ("init" or "deal" or "finish") || Option(args, "--api") is not { } api || Option(args, "--file") is not { } file)
        {
            error.WriteLine(Usage);
            return 2;
        }
        if (TrusteeHttp.Token(args) is not { } token)
        {
            error.WriteLine("A staff token is needed: --token, or the BALLOT_TOKEN variable. Ask the executive for the one named for you.");
            return 2;
        }
        using var http = TrusteeHttp.Client(api, token, TimeSpan.FromSeconds(60));
        var session = new Session(http, output, error, args.Contains("--wait"));
        try
        {
            return verb switch
            {
                "init" => await session.InitAsync(file, Number(args, "--ballot"), (int)Number(args, "--trustee")),
                "deal" => await session.DealAsync(file),
                _ => await session.FinishAsync(file),
            };
        }
        catch (Refused r)
        {
            error.WriteLine(r.Message);
            return 1;
        }
        catch (SealingException s)
        {
            error.WriteLine($"The ceremony cannot go on: {s.Message} Tell the executive, who resets the ceremony; then every trustee runs init again.");
            return 1;
        }
        catch (WrongPassphraseException w)
        {
            error.WriteLine(w.Message);
            return 1;
        }
        catch (Exception e) when (e is HttpRequestException or TaskCanceledException or IOException or UnauthorizedAccessException or FormatException or ArgumentException)
        {
            error.WriteLine(e.Message);
            return 1;
        }
    }

    /// <summary>A refusal worth one line to the trustee, not a stack trace.</summary>
    internal sealed class Refused(string message) : Exception(message);

    private sealed class Session(HttpClient http, TextWriter output, TextWriter error, bool wait)
    {
        public async Task<int> InitAsync(string file, long ballotId, int index)
        {
            if (File.Exists(file)) throw new Refused($"{file} exists already: a new share needs a new file (keep the old one until the ceremony is over).");
            var state = await StateAsync(ballotId);
            var settings = Settings(ballotId, state);
            var trustee = Seat(state, index);
            if (trustee["announcement"] is not null)
                throw new Refused($"Trustee {index} has already announced for ballot {ballotId}. To start again, the executive resets the ceremony.");
            output.WriteLine($"Ballot {ballotId}: you are trustee {index} of {settings.Trustees} ({trustee["role"]}, {trustee["name"]}); any {settings.Threshold} can count the votes.");
            var passphrase = Passphrase(confirm: true);
            var me = Trustee.Create(settings, index);
            Save(file, me, passphrase);
            try
            {
                await PostAsync(ballotId, index, "announcement", SealingJson.Serialize(me.Announce()));
            }
            catch
            {
                // Never reused: a polynomial whose announcement may have been seen must not serve in a later ceremony.
                File.Delete(file);
                throw;
            }
            output.WriteLine($"Your secrets are in {file}, protected by your passphrase. Keep both; the server has neither.");
            output.WriteLine($"Announced. When every trustee has announced, run: trustee deal --api {http.BaseAddress} --file {file}");
            return 0;
        }

        public async Task<int> DealAsync(string file)
        {
            var (me, _) = Open(file);
            var ballotId = me.Settings.BallotId;
            var state = await CheckedStateAsync(me);
            if (Seat(state, me.Index)["dealing"] is not null)
            {
                output.WriteLine($"You have already dealt. When every trustee has dealt, run: trustee finish --api {http.BaseAddress} --file {file}");
                return 0;
            }
            state = await UntilAsync(me, state, "announcement", "announce");
            var announcements = Relayed<TrusteeAnnouncement>(state, "announcement");
            await PostAsync(ballotId, me.Index, "dealing", SealingJson.Serialize(me.Deal(announcements)));
            output.WriteLine("Dealt: your commitments are published and each other trustee's share is sealed to them alone.");
            output.WriteLine($"When every trustee has dealt, run: trustee finish --api {http.BaseAddress} --file {file}");
            return 0;
        }

        public async Task<int> FinishAsync(string file)
        {
            var (me, passphrase) = Open(file);
            if (me.IsFinished)
            {
                output.WriteLine($"This share file is already finished; the key's fingerprint is {me.Key.Fingerprint}.");
                return 0;
            }
            var ballotId = me.Settings.BallotId;
            var state = await CheckedStateAsync(me, allowComplete: true);
            var seat = Seat(state, me.Index);
            if (seat["dealing"] is null) throw new Refused($"Deal first: trustee deal --api {http.BaseAddress} --file {file}");
            state = await UntilAsync(me, state, "dealing", "deal");
            var confirmation = me.Finish(Relayed<TrusteeAnnouncement>(state, "announcement"), Relayed<DealerMessage>(state, "dealing"));
            // The finished file is written before the server hears of it and replaces the old one only once the server has
            // the confirmation: a lost answer is retried with the old file, which gives the same share again.
            var finished = Write(file + ".new", me, passphrase);
            try
            {
                if (seat["confirmation"] is null) await PostAsync(ballotId, me.Index, "confirmation", SealingJson.Serialize(confirmation));
                else if (SealingJson.Deserialize<TrusteeConfirmation>(seat["confirmation"]!.ToJsonString()).Fingerprint != me.Key.Fingerprint)
                    throw new Refused("The server holds a confirmation from you for another key: the ceremony was restarted. Run trustee init with a new file.");
            }
            catch
            {
                File.Delete(finished);
                throw;
            }
            File.Move(finished, file, overwrite: true);
            output.WriteLine($"Finished. Your share of ballot {ballotId}'s key is in {file}; the polynomial is gone from it.");
            output.WriteLine($"The key's fingerprint is {me.Key.Fingerprint}: check it against the one the ballot's audit log shows.");
            return 0;
        }

        private async Task<JsonNode> CheckedStateAsync(Trustee me, bool allowComplete = false)
        {
            var state = await StateAsync(me.Settings.BallotId);
            var settings = Settings(me.Settings.BallotId, state, allowComplete);
            if (settings != me.Settings)
                throw new Refused($"The ballot's ceremony is now {settings.Threshold} of {settings.Trustees}, not {me.Settings.Threshold} of {me.Settings.Trustees}: it was restarted. Run trustee init with a new file.");
            var announced = Seat(state, me.Index)["announcement"];
            if (announced is null)
                throw new Refused("The server has no announcement from you: the ceremony was restarted, or init did not reach it. Run trustee init with a new file.");
            var theirs = SealingJson.Deserialize<TrusteeAnnouncement>(announced.ToJsonString());
            if (!theirs.TransportKey.Equals(me.TransportKey) || !theirs.CommitmentHash.AsSpan().SequenceEqual(me.Announce().CommitmentHash))
                throw new Refused("The server's announcement for you is not the one in this file: the ceremony was restarted. Run trustee init with a new file.");
            return state;
        }

        /// <summary>The state once every trustee has sent <paramref name="round"/>; without --wait, says who is missing and stops.</summary>
        private async Task<JsonNode> UntilAsync(Trustee me, JsonNode state, string round, string verb)
        {
            while (true)
            {
                var missing = state["trustees"]!.AsArray().Where(t => t![round] is null).Select(t => $"trustee {t!["index"]} ({t["name"]})").ToList();
                if (missing.Count == 0) return state;
                var waiting = $"Waiting for {string.Join(", ", missing)} to {verb}.";
                if (!wait) throw new Refused(waiting + " Run this again later, or add --wait.");
                error.WriteLine(waiting);
                await Task.Delay(TimeSpan.FromSeconds(5));
                state = await CheckedStateAsync(me, allowComplete: true);
            }
        }

        private async Task<JsonNode> StateAsync(long ballotId)
        {
            using var response = await http.GetAsync($"api/ballots/{ballotId}/ceremony");
            return await ReadAsync(response);
        }

        private async Task PostAsync(long ballotId, int index, string round, string json)
        {
            using var response = await http.PostAsync($"api/ballots/{ballotId}/ceremony/trustees/{index}/{round}",
                new StringContent(json, Encoding.UTF8, "application/json"));
            await ReadAsync(response);
        }

        private static async Task<JsonNode> ReadAsync(HttpResponseMessage response)
        {
            var body = await response.Content.ReadAsStringAsync();
            JsonNode? json = null;
            try { json = JsonNode.Parse(body); } catch (System.Text.Json.JsonException) { }
            if (!response.IsSuccessStatusCode)
                throw new Refused($"The server refused ({(int)response.StatusCode}): {(string?)json?["detail"] ?? (string?)json?["title"] ?? body}");
            return json ?? throw new Refused("The server's answer is not JSON.");
        }

        private static CeremonySettings Settings(long ballotId, JsonNode state, bool allowComplete = false)
        {
            if ((string?)state["stage"] == "no-trustees") throw new Refused($"Ballot {ballotId} has no trustees named yet.");
            if ((string?)state["stage"] == "complete" && !allowComplete) throw new Refused($"Ballot {ballotId}'s key ceremony is already complete (fingerprint {state["fingerprint"]}).");
            return new CeremonySettings(ballotId, (int)state["threshold"]!, (int)state["trusteeCount"]!);
        }

        private static JsonNode Seat(JsonNode state, int index) =>
            state["trustees"]!.AsArray().FirstOrDefault(t => (int)t!["index"]! == index)
            ?? throw new Refused($"There is no trustee {index}; this ballot's trustees are 1 to {state["trusteeCount"]}.");

        private static T[] Relayed<T>(JsonNode state, string round) =>
            [.. state["trustees"]!.AsArray().Select(t => SealingJson.Deserialize<T>(t![round]!.ToJsonString()))];

        private (Trustee, string) Open(string file)
        {
            if (!File.Exists(file)) throw new Refused($"There is no share file {file}; trustee init makes it.");
            var passphrase = Passphrase(confirm: false);
            return (Trustee.Restore(ShareFile.Read(File.ReadAllBytes(file), passphrase)), passphrase);
        }

        /// <summary>Written beside the old file and moved over it, readable by its owner only.</summary>
        private void Save(string file, Trustee me, string passphrase) => File.Move(Write(file + ".new", me, passphrase), file, overwrite: true);

        private string Write(string temp, Trustee me, string passphrase)
        {
            var bytes = ShareFile.Write(me.Export(), passphrase, Cost());
            var options = new FileStreamOptions { Mode = FileMode.Create, Access = FileAccess.Write };
            if (!OperatingSystem.IsWindows()) options.UnixCreateMode = UnixFileMode.UserRead | UnixFileMode.UserWrite;
            using (var stream = new FileStream(temp, options))
            {
                stream.Write(bytes);
                stream.Flush(flushToDisk: true);
            }
            return temp;
        }

        private ShareFile.KdfCost? Cost()
        {
            if (Environment.GetEnvironmentVariable(TestKdfCostVariable) is not { Length: > 0 } text) return null;
            var parts = text.Split(',');
            error.WriteLine($"{TestKdfCostVariable} is set: the share file's passphrase is stretched at a test cost. Never in a real ceremony.");
            return new ShareFile.KdfCost(int.Parse(parts[0], CultureInfo.InvariantCulture), int.Parse(parts[1], CultureInfo.InvariantCulture));
        }

        private string Passphrase(bool confirm) => ReadPassphrase(error, confirm);
    }

    /// <summary>The share file's passphrase: from BALLOT_TRUSTEE_PASSPHRASE, or asked without echo (twice to confirm a new one).</summary>
    internal static string ReadPassphrase(TextWriter error, bool confirm)
    {
        var passphrase = Environment.GetEnvironmentVariable(PassphraseVariable);
        if (string.IsNullOrEmpty(passphrase))
        {
            if (Console.IsInputRedirected) throw new Refused($"No terminal to ask for the passphrase: set {PassphraseVariable}.");
            passphrase = AskHidden(error, "Passphrase for the share file: ");
            if (confirm && AskHidden(error, "The same passphrase again: ") != passphrase) throw new Refused("The two passphrases differ; nothing was done.");
        }
        if (passphrase.Length < ShareFile.MinPassphraseLength)
            throw new Refused($"A share file's passphrase has at least {ShareFile.MinPassphraseLength} characters.");
        return passphrase;
    }

    /// <summary>Reads a line from the terminal without echoing it: a passphrase.</summary>
    internal static string AskHidden(TextWriter error, string prompt)
    {
        error.Write(prompt);
        var text = new StringBuilder();
        while (true)
        {
            var key = Console.ReadKey(intercept: true);
            if (key.Key == ConsoleKey.Enter) break;
            if (key.Key == ConsoleKey.Backspace) { if (text.Length > 0) text.Length--; }
            else if (!char.IsControl(key.KeyChar)) text.Append(key.KeyChar);
        }
        error.WriteLine();
        return text.ToString();
    }

    private static string? Option(string[] args, string name) => TrusteeHttp.Option(args, name);

    private static long Number(string[] args, string name) =>
        long.TryParse(Option(args, name), NumberStyles.None, CultureInfo.InvariantCulture, out var n) && n > 0 && n <= int.MaxValue
            ? n : throw new Refused($"{name} takes a positive number.");
}
