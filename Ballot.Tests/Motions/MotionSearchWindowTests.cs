using Ballot.Core.Data;
using Ballot.Tests.Infrastructure;
using Dapper;
using Npgsql;

namespace Ballot.Tests.Motions;

/// <summary>
/// PostgreSQL's search window (ADR 0820): the newest matches are found span by span from the newest motion, and must be
/// exactly the matches a full scan finds, for words common, rare, absent and phrases. The fixture exists only on the
/// PostgreSQL pass: SQLite's window is FTS5's rowid floor (ADR 0402), tested through the API by MotionSearchTests.
/// </summary>
[TestFixtureSource(nameof(Engines))]
public sealed class MotionSearchWindowTests(string engine)
{
    public static IEnumerable<string> Engines => TestDatabase.Engine == Engine.Postgres ? ["postgres"] : [];

    [Test]
    public async Task The_newest_matches_found_span_by_span_are_those_a_full_scan_finds_and_follow_every_change()
    {
        Assert.That(engine, Is.EqualTo("postgres"));
        await using var db = await TestDatabase.CreateAsync();
        await using var conn = new NpgsqlConnection(db.ConnectionString);
        await conn.OpenAsync();
        // 9,000 motions: "common" in every 3rd, "sparse" in every 40th (225: fewer than the window, found in every span),
        // "rare" in 3 old ones, the phrase "fair pay now" in every 7th and its words apart in every 5th.
        await conn.ExecuteAsync("""
            INSERT INTO conference (name, place, starts_on, ends_on, created_at) VALUES ('Annual', 'Harrogate', '2026-04-04', '2026-04-07', now());
            INSERT INTO motion (conference_id, number, title, original_text, text, status, created_at, updated_at)
            SELECT 1, n, 'Motion ' || n, t, t, 'submitted', now(), now()
            FROM (SELECT n, concat_ws(' ', 'Conference notes',
                      CASE WHEN n % 3 = 0 THEN 'common' END, CASE WHEN n % 40 = 0 THEN 'sparse' END,
                      CASE WHEN n IN (5, 17, 29) THEN 'rare' END, CASE WHEN n % 7 = 0 THEN 'fair pay now' END,
                      CASE WHEN n % 5 = 0 THEN 'now pay is fair' END) AS t
                  FROM generate_series(1, 9000) n) g;
            """);
        Assert.That(await conn.ExecuteScalarAsync<long>("SELECT count(*) FROM motion_search"), Is.EqualTo(9000), "every motion is in the search table");

        async Task<long[]> Ids(string sql, string query, int want)
        {
            await using var cmd = new NpgsqlCommand(sql, conn);
            cmd.Parameters.AddWithValue("query", query);
            cmd.Parameters.AddWithValue("want", want);
            return (long[])(await cmd.ExecuteScalarAsync())!;
        }
        Task<long[]> Window(string query, int want) => Ids("SELECT motion_recent_matches(websearch_to_tsquery('english', @query), @want)", query, want);
        async Task Same(string query, int want) => Assert.That(await Window(query, want), Is.EqualTo(await Ids(
            "SELECT ARRAY(SELECT id FROM motion WHERE search @@ websearch_to_tsquery('english', @query) ORDER BY id DESC LIMIT @want)", query, want)),
            $"{query}, {want}");
        foreach (var want in new[] { 20, 500 })
            foreach (var query in new[] { "common", "sparse", "rare", "absent", "\"fair pay now\"", "fair pay", "common sparse" })
                await Same(query, want);
        Assert.That(await Window("rare", 500), Is.EqualTo(new long[] { 29, 17, 5 }), "a rare word is found however far back it lies");

        // An edited text, a new motion and a moved motion are searched as they now are.
        await conn.ExecuteAsync("UPDATE motion SET text = 'now entirely rare' WHERE number = 8999");
        await conn.ExecuteAsync("INSERT INTO motion (conference_id, number, title, original_text, text, status, created_at, updated_at) VALUES (1, 9001, 'Rare title', 'x', 'x', 'submitted', now(), now())");
        await Same("rare", 500);
        Assert.That(await Window("rare", 2), Is.EqualTo(new long[] { 9001, 8999 }));
        Assert.That(await conn.ExecuteScalarAsync<long>("SELECT count(*) FROM motion_search s JOIN motion m ON m.id = s.id WHERE s.search = m.search AND s.conference_id = m.conference_id"),
            Is.EqualTo(9001), "the narrow table holds each motion's current words");
    }
}
