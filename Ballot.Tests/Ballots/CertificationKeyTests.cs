using System.Net;
using System.Security.Cryptography;
using Ballot.Core.Data;
using Ballot.Tests.Infrastructure;
using Microsoft.Extensions.Options;

namespace Ballot.Tests.Ballots;

/// <summary>The scrutineer's certification key is held like the credential key: a setting, or a 0600 file beside the SQLite file (ADR 0230).</summary>
public sealed class CertificationKeyTests
{
    [Test]
    public async Task A_certification_key_that_is_not_a_p256_private_key_stops_start_up_naming_the_setting()
    {
        await using var db = await TestDatabase.CreateAsync();
        using var rsa = RSA.Create(2048);
        using var p384 = ECDsa.Create(ECCurve.NamedCurves.nistP384);
        foreach (var bad in new[] { "not a key", rsa.ExportPkcs8PrivateKeyPem(), p384.ExportPkcs8PrivateKeyPem() })
        {
            var ex = Assert.ThrowsAsync<OptionsValidationException>(() => ApiHost.StartAsync(s => s["Ballots:CertificationKey"] = bad, db));
            Assert.That(ex!.Message, Does.Contain("Ballots:CertificationKey must be an ECDSA P-256 private key"));
        }
    }

    [Test]
    public async Task Without_a_setting_the_key_is_a_0600_file_beside_the_sqlite_file_and_required_on_postgres()
    {
        await using var db = await TestDatabase.CreateAsync();
        if (TestDatabase.Engine == Engine.Postgres)
        {
            var ex = Assert.ThrowsAsync<OptionsValidationException>(() => ApiHost.StartAsync(s => s["Ballots:CertificationKey"] = null, db));
            Assert.That(ex!.Message, Does.Contain("Ballots:CertificationKey is required in the API on PostgreSQL"));
            return;
        }
        var file = Path.Combine(db.Folder!, "ballot-certification.key");
        Assert.That(File.Exists(file), Is.False);
        var api = await ApiHost.StartAsync(database: db);
        try
        {
            Assert.That(File.Exists(file), Is.True, "created at start, before any certification");
            if (!OperatingSystem.IsWindows()) Assert.That(File.GetUnixFileMode(file), Is.EqualTo(UnixFileMode.UserRead | UnixFileMode.UserWrite));
            using var key = ECDsa.Create();
            key.ImportFromPem(await File.ReadAllTextAsync(file));
            var published = await (await (await api.Client.GetAsync("/api/certification-key")).AssertStatus(HttpStatusCode.OK)).ReadJson();
            Assert.That((string)published["publicKey"]!, Is.EqualTo(key.ExportSubjectPublicKeyInfoPem()));
            Assert.That((string)published["fingerprint"]!, Is.EqualTo(Convert.ToHexStringLower(SHA256.HashData(key.ExportSubjectPublicKeyInfo()))));
            Assert.That(await File.ReadAllTextAsync(file), Does.Not.Contain("PUBLIC"), "the file holds the private key; only the public key is served");
        }
        finally
        {
            await api.App.StopAsync();
            await api.App.DisposeAsync();
        }
    }
}
