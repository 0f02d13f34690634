using Ballot.Core.Data;
using Ballot.Core.Motions;
using Ballot.Tests.Infrastructure;
using Dapper;
using Microsoft.Extensions.Options;
using Npgsql;

namespace Ballot.Tests.Motions;

/// <summary>
/// PostgreSQL's search window (ADR 0909): the newest 500 motions holding every term of the query, found by merging the
/// terms' posting lists, ranked by their words' weights (a title above a text), and each result checked against the
/// whole query. The expected results are computed here from how each motion was written, not read back from the
/// engine. The fixture exists only on the PostgreSQL pass: SQLite's window is FTS5's rowid floor (ADR 0402), tested
/// through the API by MotionSearchTests.
/// </summary>
[TestFixtureSource(nameof(Engines))]
public sealed class MotionSearchWindowTests(string engine)
{
    public static IEnumerable<string> Engines => TestDatabase.Engine == Engine.Postgres ? ["postgres"] : [];

    private const int Motions = 3000;

    // Motion n: "common" in the text of every 3rd and the title of every 250th, "sparse" in every 40th (75: fewer than
    // the window), "rare" in three old ones; the phrase "fair pay award" in every 7th, its words apart in every 5th,
    // and its two pairs apart ("fair pay and pay award": every pair present, the phrase not) in every 11th.
    private static string Title(int n) => n % 250 == 0 ? $"Common cause {n}" : $"Motion {n}";

    private static string Text(int n) => string.Join(' ', new[]
    {
        "Conference notes",
        n % 3 == 0 ? "common" : null, n % 40 == 0 ? "sparse" : null, n is 5 or 17 or 29 ? "rare" : null,
        n % 7 == 0 ? "fair pay award" : null, n % 5 == 0 ? "award pay is fair" : null, n % 11 == 0 ? "fair pay and pay award" : null,
    }.Where(w => w is not null));

    /// <summary>Occurrences of a word, or of two words side by side ("fair pay"), in a title or text.</summary>
    private static int Count(string text, string term)
    {
        var words = text.Split(' ');
        var parts = term.Split(' ');
        return Enumerable.Range(0, words.Length - parts.Length + 1)
            .Count(i => parts.Select((p, j) => words[i + j].Equals(p, StringComparison.OrdinalIgnoreCase)).All(x => x));
    }

    /// <summary>
    /// What the search must return: among the newest 500 motions holding every term (a word, or for a phrase each pair
    /// of adjacent words), the 20 best by the terms' weight (title 1.0, text 0.4 an occurrence), newest first on a tie,
    /// that truly match.
    /// </summary>
    private static long[] Expected(Func<int, bool> holdsTerms, Func<int, bool> matches, string[] terms) =>
        Enumerable.Range(1, Motions).Where(holdsTerms).OrderByDescending(n => n).Take(SearchMotions.RankWindow)
            .Where(matches)
            .Select(n => (n, score: terms.Sum(t => Count(Title(n), t) * 1.0 + Count(Text(n), t) * 0.4)))
            .OrderByDescending(x => Math.Round(x.score, 3)).ThenByDescending(x => x.n).Take(20).Select(x => (long)x.n).ToArray();

    [Test]
    public async Task The_window_is_the_newest_motions_holding_every_term_ranked_by_weight_and_follows_every_change()
    {
        Assert.That(engine, Is.EqualTo("postgres"));
        await using var db = await TestDatabase.CreateAsync();
        await using var conn = new NpgsqlConnection(db.ConnectionString);
        await conn.OpenAsync();
        await conn.ExecuteAsync("INSERT INTO conference (name, place, starts_on, ends_on, created_at) VALUES ('Annual', 'Harrogate', '2026-04-04', '2026-04-07', now())");
        await conn.ExecuteAsync("""
            INSERT INTO motion (id, conference_id, number, title, original_text, text, status, created_at, updated_at)
            SELECT n, 1, n, t.title, t.text, t.text, 'submitted', now(), now() FROM unnest(@n, @title, @text) AS t (n, title, text)
            """, new { n = Enumerable.Range(1, Motions).Select(n => (long)n).ToArray(), title = Enumerable.Range(1, Motions).Select(Title).ToArray(),
                       text = Enumerable.Range(1, Motions).Select(Text).ToArray() });

        var search = new SearchMotions.Handler(new Db(Options.Create(new DatabaseOptions { ConnectionString = db.ConnectionString })), new PostgresMotionSearchSql());
        async Task<long[]> Search(string q) => (await search.Handle(new SearchMotions.Query(q), CancellationToken.None)).Items.Select(h => h.Id).ToArray();

        // "common": 1,000 in the texts and 12 in the titles; the window (newest 500, back to 1,503) holds 6 of the titles.
        var common = await Search("common");
        Assert.That(common, Is.EqualTo(Expected(n => n % 3 == 0 || n % 250 == 0, _ => true, ["common"])));
        Assert.That(common.Take(6), Is.EquivalentTo(new long[] { 3000, 2750, 2500, 2250, 2000, 1750 }), "title matches within the window first");
        Assert.That(common, Does.Not.Contain(1500L), "a title match older than the window is not ranked");
        Assert.That(await Search("sparse"), Is.EqualTo(Expected(n => n % 40 == 0, _ => true, ["sparse"])));
        Assert.That(await Search("rare"), Is.EqualTo(new long[] { 29, 17, 5 }), "a rare word is found however far back it lies");
        Assert.That(await Search("absent"), Is.Empty);
        Assert.That(await Search("common sparse"), Is.EqualTo(Expected(n => (n % 3 == 0 || n % 250 == 0) && n % 40 == 0, _ => true, ["common", "sparse"])));
        Assert.That(await Search("\"fair pay\""), Is.EqualTo(Expected(n => n % 7 == 0 || n % 11 == 0, _ => true, ["fair pay"])),
            "a two-word phrase is a term of its own");
        Assert.That(await Search("fair pay"), Is.EqualTo(Expected(n => n % 7 == 0 || n % 5 == 0 || n % 11 == 0, _ => true, ["fair", "pay"])));
        var phrase = await Search("\"fair pay award\"");
        Assert.That(phrase, Is.EqualTo(Expected(n => n % 7 == 0 || n % 11 == 0, n => n % 7 == 0, ["fair pay", "pay award"])),
            "every pair in the window, the whole phrase in each result");
        Assert.That(phrase.Where(n => n % 7 != 0), Is.Empty);
        Assert.That(await Search("pay or common"), Is.EqualTo(Expected(n => (n % 7 == 0 || n % 5 == 0 || n % 11 == 0) && (n % 3 == 0 || n % 250 == 0), _ => true, ["pay", "common"])),
            "\"or\" is a word (a stop word), not an operator, as on SQLite");

        // An edited text, a new motion, a deleted motion: searched as they now are.
        await conn.ExecuteAsync("UPDATE motion SET text = 'now entirely rare' WHERE id = 2999");
        await conn.ExecuteAsync("INSERT INTO motion (id, conference_id, number, title, original_text, text, status, created_at, updated_at) VALUES (3001, 1, 3001, 'Rare title', 'x', 'x', 'submitted', now(), now())");
        await conn.ExecuteAsync("DELETE FROM motion WHERE id = 17");
        Assert.That(await Search("rare"), Is.EqualTo(new long[] { 3001, 2999, 29, 5 }), "the title first, then the text matches newest first");

        // Two "words" of 1,440 characters side by side: too long for a B-tree entry as a pair, so left out of the lists,
        // and the motion is saved and found by its other words.
        var longWords = string.Concat(Enumerable.Range(1, 45).Select(i => Convert.ToHexString(System.Security.Cryptography.MD5.HashData(BitConverter.GetBytes(i)))))
                        + " " + string.Concat(Enumerable.Range(100, 45).Select(i => Convert.ToHexString(System.Security.Cryptography.MD5.HashData(BitConverter.GetBytes(i)))));
        await conn.ExecuteAsync("INSERT INTO motion (id, conference_id, number, title, original_text, text, status, created_at, updated_at) VALUES (3002, 1, 3002, 'Motion 3002', @t, @t, 'submitted', now(), now())",
            new { t = "Conference notes rare " + longWords });
        Assert.That(await Search("rare"), Is.EqualTo(new long[] { 3001, 3002, 2999, 29, 5 }));
        Assert.That(await conn.ExecuteScalarAsync<long>("""
            SELECT count(*) FROM (
                (SELECT t.term, s.id, t.score FROM motion m JOIN motion_search s ON s.id = m.id AND s.search = m.search, motion_terms(s.search) t
                 EXCEPT SELECT term, id, score FROM motion_term)
                UNION ALL
                (SELECT term, id, score FROM motion_term
                 EXCEPT SELECT t.term, s.id, t.score FROM motion m JOIN motion_search s ON s.id = m.id AND s.search = m.search, motion_terms(s.search) t)) d
            """), Is.Zero, "the posting lists hold each motion's current terms, and nothing of a deleted one");
        Assert.That(await conn.ExecuteScalarAsync<long>("SELECT count(*) FROM motion_term WHERE id = 17"), Is.Zero);
    }
}
