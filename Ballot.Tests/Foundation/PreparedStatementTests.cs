using Ballot.Core.Data;
using Ballot.Tests.Infrastructure;
using Dapper;
using Microsoft.Extensions.Options;

namespace Ballot.Tests.Foundation;

/// <summary>
/// PostgreSQL plans an unprepared statement every time it runs (a search's CTEs: 0.4–3.6 ms of planning); the API's
/// connections prepare the statements they run often and keep them when a connection goes back to the pool (issue 15).
/// Until this test, a connection string check that was always true left auto-prepare off. PostgreSQL only.
/// </summary>
[TestFixtureSource(nameof(Engines))]
public sealed class PreparedStatementTests(string engine)
{
    public static IEnumerable<string> Engines => TestDatabase.Engine == Engine.Postgres ? ["postgres"] : [];

    private TestDatabase _db = null!;

    [OneTimeSetUp]
    public async Task Start()
    {
        Assert.That(engine, Is.EqualTo("postgres"));
        _db = await TestDatabase.CreateAsync();
    }

    [OneTimeTearDown]
    public async Task Stop() => await _db.DisposeAsync();

    private const string Marker = "SELECT count(*) FROM conference WHERE id > @id /* prepared-statement-test */";

    private static async Task<long> PreparedCount(System.Data.Common.DbConnection conn) =>
        await conn.ExecuteScalarAsync<long>("SELECT count(*) FROM pg_prepared_statements WHERE statement LIKE '%prepared-statement-test%'");

    [Test]
    public async Task A_statement_run_often_is_prepared_and_stays_prepared_across_pooled_uses()
    {
        var db = new Db(Options.Create(new DatabaseOptions { ConnectionString = _db.ConnectionString }));
        for (var i = 0; i < 6; i++)
        {
            await using var conn = await db.OpenAsync();
            await conn.ExecuteScalarAsync<long>(Marker, new { id = i });
        }
        await using (var conn = await db.OpenAsync())
            Assert.That(await PreparedCount(conn), Is.EqualTo(1), "the sixth use ran a prepared statement, kept after the connection went back to the pool");
    }

    [Test]
    public async Task A_connection_string_that_sets_its_own_limit_keeps_it()
    {
        var db = new Db(Options.Create(new DatabaseOptions { ConnectionString = _db.ConnectionString + ";Max Auto Prepare=0" }));
        await using var conn = await db.OpenAsync();
        for (var i = 0; i < 6; i++) await conn.ExecuteScalarAsync<long>(Marker, new { id = i });
        Assert.That(await PreparedCount(conn), Is.EqualTo(0), "Max Auto Prepare=0 given: nothing prepared");
    }
}
