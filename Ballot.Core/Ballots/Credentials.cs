using System.Data.Common;
using System.Security.Cryptography;
using System.Text;
using Ballot.Core.Common;
using Ballot.Core.Data;
using Dapper;
using Microsoft.Extensions.Options;

namespace Ballot.Core.Ballots;

/// <summary>
/// Voting credentials: base64url(HMAC-SHA256(key, "ballotId:memberId")) truncated to 128 bits. Derived again whenever a
/// letter is rendered, so only SHA-256 of a credential is stored. See docs/decisions/0201-derived-credentials.md.
/// The API (which checks credentials and may open ballots) and the worker (which opens ballots and renders links) must
/// hold the same key: the database keeps a fingerprint of the first key used, and a process whose key differs refuses
/// to open a ballot or render a link. See docs/decisions/0211-one-credential-key-per-database.md.
/// </summary>
public sealed class Credentials
{
    private const int CredentialBytes = 16;
    private const string FingerprintLabel = "ballot credential key fingerprint v1";
    private readonly byte[] _key;
    private volatile bool _matches;

    public Credentials(IOptions<BallotOptions> options, Db db)
    {
        var o = options.Value;
        if (!string.IsNullOrWhiteSpace(o.CredentialKey))
            _key = ParseKey(o.CredentialKey) ?? throw new InvalidOperationException("Ballots:CredentialKey must be base64 of at least 32 bytes.");
        else
        {
            var file = KeyFile(o, db) ?? throw new InvalidOperationException(
                "Ballots:CredentialKey is required on PostgreSQL (or a Ballots:CredentialKeyFile shared by the API and the worker).");
            _key = LoadOrCreate(file);
        }
        Fingerprint = Convert.ToHexStringLower(HMACSHA256.HashData(_key, Encoding.ASCII.GetBytes(FingerprintLabel)));
    }

    /// <summary>HMAC of a fixed label under the key: tells keys apart without revealing them.</summary>
    public string Fingerprint { get; }

    /// <summary>
    /// The key file: Ballots:CredentialKeyFile (relative paths beside the SQLite file), else ballot-credentials.key beside
    /// the SQLite file. Never relative to a process's working directory, so the API and the worker find the same file.
    /// </summary>
    public static string? KeyFile(BallotOptions o, Db db)
    {
        if (!string.IsNullOrWhiteSpace(o.CredentialKeyFile))
        {
            if (Path.IsPathRooted(o.CredentialKeyFile)) return o.CredentialKeyFile;
            return db.DataFolder is null ? null : Path.Combine(db.DataFolder, o.CredentialKeyFile);
        }
        return db.DataFolder is null ? null : Path.Combine(db.DataFolder, "ballot-credentials.key");
    }

    public static byte[]? ParseKey(string text)
    {
        try
        {
            var key = Convert.FromBase64String(text.Trim());
            return key.Length >= 32 ? key : null;
        }
        catch (FormatException)
        {
            return null;
        }
    }

    public string For(long ballotId, long memberId)
    {
        Span<byte> mac = stackalloc byte[32];
        HMACSHA256.HashData(_key, Encoding.ASCII.GetBytes($"{ballotId}:{memberId}"), mac);
        return Base64Url(mac[..CredentialBytes]);
    }

    public const string Mismatch =
        "This process's credential key is not the key this database's ballots use (their fingerprints differ): every link " +
        "it derived would be refused. Give the API and the worker the same Ballots:CredentialKey (or key file).";

    /// <summary>
    /// Records this key's fingerprint if the database has none yet, and refuses (409) if it holds another. Checked once per
    /// process when it matches; a mismatch is checked (and refused) every time, so fixing the setting needs only a restart.
    /// </summary>
    public async Task EnsureMatchesAsync(DbConnection conn, DbTransaction? tx)
    {
        if (_matches) return;
        var stored = await conn.ExecuteScalarAsync<string?>("SELECT fingerprint FROM ballot_credential_key WHERE id = 1", transaction: tx);
        if (stored is null)
        {
            await conn.ExecuteAsync("INSERT INTO ballot_credential_key (id, fingerprint) VALUES (1, @f) ON CONFLICT (id) DO NOTHING",
                new { f = Fingerprint }, tx);
            stored = await conn.ExecuteScalarAsync<string?>("SELECT fingerprint FROM ballot_credential_key WHERE id = 1", transaction: tx);
        }
        if (stored != Fingerprint) throw new Conflict(Mismatch);
        _matches = true;
    }

    /// <summary>The same, for synchronous callers (letter rendering).</summary>
    public void EnsureMatches(Db db)
    {
        if (_matches) return;
        using var conn = db.Open();
        EnsureMatchesAsync(conn, null).GetAwaiter().GetResult();
    }

    /// <summary>What is stored and looked up: SHA-256 of the credential text, lowercase hex. A fast hash suffices at 128 bits.</summary>
    public static string Hash(string credential)
    {
        Span<byte> h = stackalloc byte[32];
        SHA256.HashData(Encoding.ASCII.GetBytes(credential), h);
        return Convert.ToHexStringLower(h);
    }

    /// <summary>A credential has exactly the shape we issue; anything else is not looked up at all.</summary>
    public static bool LooksValid(string? credential) =>
        credential is { Length: 22 } && credential.All(c => char.IsAsciiLetterOrDigit(c) || c is '-' or '_');

    public static string Base64Url(ReadOnlySpan<byte> bytes) =>
        Convert.ToBase64String(bytes).TrimEnd('=').Replace('+', '-').Replace('/', '_');

    private static byte[] LoadOrCreate(string file)
    {
        Directory.CreateDirectory(Path.GetDirectoryName(Path.GetFullPath(file))!);
        if (!File.Exists(file))
        {
            var key = RandomNumberGenerator.GetBytes(32);
            try
            {
                // CreateNew: if the API and the worker race to create it, one wins and the other reads its key.
                var fso = new FileStreamOptions { Mode = FileMode.CreateNew, Access = FileAccess.Write };
                if (!OperatingSystem.IsWindows()) fso.UnixCreateMode = UnixFileMode.UserRead | UnixFileMode.UserWrite;
                using var fs = new FileStream(file, fso);
                fs.Write(Encoding.ASCII.GetBytes(Convert.ToBase64String(key)));
                fs.Flush(flushToDisk: true);
                return key;
            }
            catch (IOException) when (File.Exists(file))
            {
            }
        }
        for (var attempt = 0; ; attempt++)
        {
            var text = File.ReadAllText(file).Trim();
            if (text.Length > 0) return Convert.FromBase64String(text);
            if (attempt > 50) throw new InvalidOperationException($"The credential key file {file} is empty.");
            Thread.Sleep(20);
        }
    }
}
