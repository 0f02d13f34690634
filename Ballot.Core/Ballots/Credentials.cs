using System.Collections.Concurrent;
using System.Data.Common;
using System.Security.Cryptography;
using System.Text;
using Ballot.Core.Common;
using Ballot.Core.Data;
using Dapper;
using Microsoft.Extensions.Options;

namespace Ballot.Core.Ballots;

/// <summary>
/// Voting credentials: base64url(HMAC-SHA256(ballot key, memberId)) truncated to 128 bits, where the ballot key is
/// HMAC-SHA256(key, label, ballotId, the ballot's random salt). Derived again whenever a letter is rendered, so only
/// SHA-256 of a credential is stored. See docs/decisions/0201-derived-credentials.md and, for the salt,
/// docs/decisions/0221-credential-salt-per-ballot.md.
/// The API (which checks credentials and may open ballots) and the worker (which opens ballots and renders links) must
/// hold the same key: the database keeps a fingerprint of the first key used, and a process whose key differs refuses
/// to open a ballot or render a link. See docs/decisions/0211-one-credential-key-per-database.md.
/// </summary>
public sealed class Credentials
{
    private const int CredentialBytes = 16;
    private const int SaltBytes = 32;
    private const string FingerprintLabel = "ballot credential key fingerprint v1";
    private const string BallotKeyLabel = "ballot credential v2\n";
    private readonly byte[] _key;
    private readonly Db _db;
    private readonly ConcurrentDictionary<long, BallotCredentials> _ballots = new();
    private volatile bool _matches;

    public Credentials(IOptions<BallotOptions> options, Db db)
    {
        _db = db;
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

    /// <summary>A new ballot's salt: 256 bits from the operating system's CSPRNG, stored when the ballot opens.</summary>
    public static string NewSalt() => Convert.ToBase64String(RandomNumberGenerator.GetBytes(SaltBytes));

    /// <summary>One ballot's credentials under this key and that ballot's salt ("" for ballots opened before salts).</summary>
    public BallotCredentials ForBallot(long ballotId, string salt) => new(_key, ballotId, salt);

    /// <summary>An elector's credential, with the ballot's stored salt (read once per ballot: it never changes).</summary>
    public string For(long ballotId, long memberId) => ForBallot(ballotId).For(memberId);

    /// <summary>The ballot's credentials with its stored salt; a ballot without one (never opened) has no credentials.</summary>
    public BallotCredentials ForBallot(long ballotId)
    {
        if (_ballots.TryGetValue(ballotId, out var known)) return known;
        using var conn = _db.Open();
        var salt = conn.ExecuteScalar<string?>("SELECT salt FROM ballot_credential_salt WHERE ballot_id = @ballotId", new { ballotId })
                   ?? throw new Conflict($"Ballot {ballotId} has no credential salt: it was never opened, so it has no voting links.");
        return _ballots.GetOrAdd(ballotId, ForBallot(ballotId, salt));
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

    /// <summary>Derives the credentials of one ballot's electors.</summary>
    public sealed class BallotCredentials
    {
        private readonly byte[] _key;
        private readonly long _ballotId;
        private readonly bool _legacy;

        internal BallotCredentials(byte[] key, long ballotId, string salt)
        {
            _ballotId = ballotId;
            _legacy = salt.Length == 0;
            if (_legacy)
            {
                // Opened before salts: its letters carry HMAC(key, "ballotId:memberId"), so that stays its derivation.
                _key = key;
                return;
            }
            var saltBytes = Convert.FromBase64String(salt);
            if (saltBytes.Length < 16) throw new InvalidOperationException($"Ballot {ballotId}'s credential salt is shorter than 128 bits.");
            var label = Encoding.ASCII.GetBytes(BallotKeyLabel + ballotId.ToString(System.Globalization.CultureInfo.InvariantCulture) + "\n");
            _key = HMACSHA256.HashData(key, label.Concat(saltBytes).ToArray());
        }

        public string For(long memberId)
        {
            Span<byte> mac = stackalloc byte[32];
            if (_legacy) HMACSHA256.HashData(_key, Encoding.ASCII.GetBytes($"{_ballotId}:{memberId}"), mac);
            else
            {
                Span<byte> text = stackalloc byte[20];
                memberId.TryFormat(text, out var n, default, System.Globalization.CultureInfo.InvariantCulture);
                HMACSHA256.HashData(_key, text[..n], mac);
            }
            return Base64Url(mac[..CredentialBytes]);
        }
    }

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
