using System.Net;
using Ballot.Core.Data;
using Ballot.Tests.Infrastructure;
using Dapper;

namespace Ballot.Tests.Foundation;

public sealed class HealthAndMigrationTests
{
    private ApiHost _api = null!;

    [OneTimeSetUp]
    public async Task Start() => _api = await ApiHost.StartAsync();

    [OneTimeTearDown]
    public async Task Stop() => await _api.DisposeAsync();

    [Test]
    public async Task Health_needs_no_token_and_reports_the_database_and_migrations()
    {
        var response = await _api.Client.GetAsync("/health");
        var json = await response.ReadJson();
        Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.OK));
        Assert.That((string?)json["status"], Is.EqualTo("healthy"));
        Assert.That((string?)json["database"], Is.EqualTo("reachable"));
        Assert.That((string?)json["engine"], Is.EqualTo(TestDatabase.Engine.ToString().ToLowerInvariant()));
        var scripts = _api.App.Services.GetRequiredService<Migrator>().AllScripts();
        Assert.That((int?)json["migrations"]!["applied"], Is.EqualTo(scripts.Count));
        Assert.That(json["migrations"]!["pending"]!.AsArray(), Is.Empty);
    }

    [Test]
    public async Task Migrations_are_journaled_and_running_them_again_changes_nothing()
    {
        var migrator = _api.App.Services.GetRequiredService<Migrator>();
        migrator.Migrate();
        migrator.Migrate();
        await using var conn = await _api.OpenAsync();
        var journal = (await conn.QueryAsync<string>("SELECT scriptname FROM schema_versions ORDER BY scriptname")).ToList();
        Assert.That(journal, Is.EqualTo(migrator.AllScripts()));
        Assert.That(migrator.PendingScripts(), Is.Empty);
    }

    [Test]
    public async Task Sqlite_runs_in_wal_mode_with_foreign_keys_and_a_busy_timeout()
    {
        if (TestDatabase.Engine != Engine.Sqlite)
        {
            // On PostgreSQL the same guarantee is the server's: check a foreign key is enforced there too. The keys of
            // the bulk-written tables are gone (ADR 0810); their parents refuse DELETE and TRUNCATE instead.
            await using var pg = await _api.OpenAsync();
            var ex = Assert.ThrowsAsync<Npgsql.PostgresException>(() => pg.ExecuteAsync(
                "INSERT INTO ballot_reminder (ballot_id, due_at) VALUES (999999, now())"));
            Assert.That(ex!.SqlState, Is.EqualTo("23503"));
            foreach (var parent in new[] { "member", "workplace", "member_category", "ballot", "mailing" })
            {
                var refused = Assert.ThrowsAsync<Npgsql.PostgresException>(() => pg.ExecuteAsync($"DELETE FROM {parent} WHERE false"));
                Assert.That(refused!.MessageText, Does.Contain("never deleted"), parent);
                Assert.ThrowsAsync<Npgsql.PostgresException>(() => pg.ExecuteAsync($"TRUNCATE {parent} CASCADE"), parent);
            }
            return;
        }
        await using var conn = await _api.OpenAsync();
        Assert.That(await conn.ExecuteScalarAsync<string>("PRAGMA journal_mode"), Is.EqualTo("wal"));
        Assert.That(await conn.ExecuteScalarAsync<long>("PRAGMA foreign_keys"), Is.EqualTo(1));
        Assert.That(await conn.ExecuteScalarAsync<long>("PRAGMA busy_timeout"), Is.GreaterThanOrEqualTo(1000));
        var fk = Assert.ThrowsAsync<Microsoft.Data.Sqlite.SqliteException>(() => conn.ExecuteAsync(
            "INSERT INTO member (membership_number, workplace_id, category, status, created_at, updated_at) VALUES ('FK1', 999999, 'teacher', 'active', 'x', 'x')"));
        Assert.That(fk!.Message, Does.Contain("FOREIGN KEY"));
    }

    [Test]
    public async Task OpenApi_document_and_reference_page_are_served()
    {
        var doc = await _api.Client.GetAsync("/openapi/v1.json");
        var json = await doc.ReadJson();
        Assert.That(doc.StatusCode, Is.EqualTo(HttpStatusCode.OK));
        Assert.That(json["paths"]!.AsObject().Select(p => p.Key), Does.Contain("/api/members/import"));
        var page = await _api.Client.GetAsync("/docs/api");
        Assert.That(page.StatusCode, Is.EqualTo(HttpStatusCode.OK));
        Assert.That(await page.Content.ReadAsStringAsync(), Does.Contain("<html").IgnoreCase);
    }
}
