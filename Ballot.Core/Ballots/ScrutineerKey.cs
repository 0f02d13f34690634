using System.Security.Cryptography;
using System.Text;
using Ballot.Core.Common;
using Ballot.Core.Data;
using Microsoft.Extensions.Options;

namespace Ballot.Core.Ballots;

/// <summary>
/// The key the scrutineer's certification signs with: ECDSA P-256 over SHA-256, signatures DER-encoded as OpenSSL
/// writes them, so anyone holding the published public key can check a certificate with
/// <c>openssl dgst -sha256 -verify</c>. Held outside the database like the credential key (0201, 0211): the
/// Ballots:CertificationKey setting (PEM or base64 PKCS#8), else a key file beside the SQLite file created 0600.
/// See docs/decisions/0230-anchored-audit-chain.md.
/// </summary>
public sealed class ScrutineerKey
{
    public const string Algorithm = "ECDSA P-256 SHA-256";
    private readonly ECDsa? _key;

    public ScrutineerKey(IOptions<BallotOptions> options, Db db)
    {
        var o = options.Value;
        if (!string.IsNullOrWhiteSpace(o.CertificationKey))
            _key = Parse(o.CertificationKey) ?? throw new InvalidOperationException(InvalidKey);
        else if (KeyFile(o, db) is { } file)
            _key = LoadOrCreate(file);
        if (_key is null) return;
        var spki = _key.ExportSubjectPublicKeyInfo();
        PublicKeyPem = PemEncoding.WriteString("PUBLIC KEY", spki);
        Fingerprint = FingerprintOf(spki);
    }

    public const string InvalidKey = "Ballots:CertificationKey must be an ECDSA P-256 private key: PEM (-----BEGIN PRIVATE KEY-----) or base64 of PKCS#8 "
        + "(openssl genpkey -algorithm EC -pkeyopt ec_paramgen_curve:P-256).";

    public const string Missing = "No certification key: set Ballots:CertificationKey (or an absolute Ballots:CertificationKeyFile) in the API.";

    /// <summary>The published public key (SPKI PEM); null when this process has no key (a worker on PostgreSQL).</summary>
    public string? PublicKeyPem { get; }

    /// <summary>SHA-256 of the public key's DER, hex: short enough to read out and compare.</summary>
    public string? Fingerprint { get; }

    public static string FingerprintOf(byte[] spki) => Convert.ToHexStringLower(SHA256.HashData(spki));

    /// <summary>Ballots:CertificationKeyFile (relative paths beside the SQLite file), else ballot-certification.key beside the SQLite file.</summary>
    public static string? KeyFile(BallotOptions o, Db db)
    {
        if (!string.IsNullOrWhiteSpace(o.CertificationKeyFile))
        {
            if (Path.IsPathRooted(o.CertificationKeyFile)) return o.CertificationKeyFile;
            return db.DataFolder is null ? null : Path.Combine(db.DataFolder, o.CertificationKeyFile);
        }
        return db.DataFolder is null ? null : Path.Combine(db.DataFolder, "ballot-certification.key");
    }

    public static bool IsValid(string text)
    {
        using var key = Parse(text);
        return key is not null;
    }

    public static ECDsa? Parse(string text)
    {
        text = text.Trim();
        var key = ECDsa.Create();
        try
        {
            if (text.StartsWith("-----", StringComparison.Ordinal)) key.ImportFromPem(text);
            else key.ImportPkcs8PrivateKey(Convert.FromBase64String(text), out _);
            if (key.KeySize != 256 || key.ExportParameters(false).Curve.Oid.Value != ECCurve.NamedCurves.nistP256.Oid.Value)
            {
                key.Dispose();
                return null;
            }
            return key;
        }
        catch (Exception e) when (e is CryptographicException or FormatException or ArgumentException)
        {
            key.Dispose();
            return null;
        }
    }

    /// <summary>Signs the exact UTF-8 bytes of a statement; base64 of the DER signature.</summary>
    public string Sign(string statement)
    {
        var key = _key ?? throw new Conflict(Missing);
        return Convert.ToBase64String(key.SignData(Encoding.UTF8.GetBytes(statement), HashAlgorithmName.SHA256, DSASignatureFormat.Rfc3279DerSequence));
    }

    /// <summary>Whether the signature over the statement verifies with this public key (SPKI PEM). Never throws on bad input.</summary>
    public static bool Verifies(string statement, string signature, string publicKeyPem)
    {
        try
        {
            using var key = ECDsa.Create();
            key.ImportFromPem(publicKeyPem);
            return key.VerifyData(Encoding.UTF8.GetBytes(statement), Convert.FromBase64String(signature), HashAlgorithmName.SHA256,
                DSASignatureFormat.Rfc3279DerSequence);
        }
        catch (Exception e) when (e is CryptographicException or FormatException or ArgumentException)
        {
            return false;
        }
    }

    private static ECDsa LoadOrCreate(string file)
    {
        Directory.CreateDirectory(Path.GetDirectoryName(Path.GetFullPath(file))!);
        if (!File.Exists(file))
        {
            using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
            var pem = key.ExportPkcs8PrivateKeyPem();
            try
            {
                // CreateNew: two processes racing to create it; one wins and the other reads its key.
                var fso = new FileStreamOptions { Mode = FileMode.CreateNew, Access = FileAccess.Write };
                if (!OperatingSystem.IsWindows()) fso.UnixCreateMode = UnixFileMode.UserRead | UnixFileMode.UserWrite;
                using var fs = new FileStream(file, fso);
                fs.Write(Encoding.ASCII.GetBytes(pem));
                fs.Flush(flushToDisk: true);
            }
            catch (IOException) when (File.Exists(file))
            {
            }
        }
        for (var attempt = 0; ; attempt++)
        {
            var text = File.ReadAllText(file).Trim();
            if (text.Length > 0)
                return Parse(text) ?? throw new InvalidOperationException($"The certification key file {file} does not hold an ECDSA P-256 private key (PEM).");
            if (attempt > 50) throw new InvalidOperationException($"The certification key file {file} is empty.");
            Thread.Sleep(20);
        }
    }
}
