using Dapper;

namespace Ballot.Core.Motions;

/// <summary>
/// Best matches first, the title weighing more than the text, ranked among the <c>@window</c> most recent matching
/// motions: ranking every match of a common word costs time in proportion to the matches (about 7 ms for 8,000 on
/// SQLite), ranking a bounded window does not (docs/decisions/0402-search-ranks-a-recent-window.md).
/// SQLite: FTS5, the window as a rowid floor that FTS5 applies while it reads the index (within one conference, the
/// conference's id range instead), then "ORDER BY rank" (bm25 weights set in the migration).
/// PostgreSQL: over every conference, the window is a merge of the query's posting lists read backwards from the
/// newest motion (motion_term, ADR 0909) and ranked from them; within one conference, the word index and the
/// conference's motions (ADR 0820). Both return the text; the snippet is cut in C# (<see cref="SearchMotions.Snippet"/>),
/// the same on both engines and far cheaper than ts_headline.
/// One class per engine, chosen once (ADR 0002): the two engines' full-text searches share nothing but their parameters
/// (@query, @conferenceId, @window, @limit).
/// </summary>
public abstract class MotionSearchSql
{
    /// <summary>The search for these terms, over every conference or within @conferenceId.</summary>
    public abstract string Search(bool byConference, IReadOnlyList<SearchTerm> terms);

    /// <summary>The query in the engine's full-text syntax: every word must appear; "quoted words" as a phrase.</summary>
    public abstract string Query(IReadOnlyList<SearchTerm> terms);

    /// <summary>The parameters of <see cref="Search"/>.</summary>
    public virtual DynamicParameters Arguments(IReadOnlyList<SearchTerm> terms, long? conferenceId, int limit, int window) =>
        new(new { query = Query(terms), conferenceId, limit, window });
}

internal sealed class SqliteMotionSearchSql : MotionSearchSql
{
    public override string Search(bool byConference, IReadOnlyList<SearchTerm> terms) => $"""
          SELECT m.id AS Id, m.conference_id AS ConferenceId, c.name AS ConferenceName, m.number AS Number, m.title AS Title,
                 m.topic AS Topic, m.status AS Status, m.text AS Text
          FROM motion_fts JOIN motion m ON m.id = motion_fts.rowid JOIN conference c ON c.id = m.conference_id
          WHERE motion_fts MATCH @query
            AND {(byConference
                // A conference's motions are recorded together, so their ids span a narrow range FTS5 can read alone.
                ? """
                  m.conference_id = @conferenceId
                  AND motion_fts.rowid BETWEEN (SELECT MIN(id) FROM motion WHERE conference_id = @conferenceId)
                                           AND (SELECT MAX(id) FROM motion WHERE conference_id = @conferenceId)
                  """
                : """
                  motion_fts.rowid >= coalesce((
                      SELECT f.rowid FROM motion_fts f WHERE f.motion_fts MATCH @query
                      ORDER BY f.rowid DESC LIMIT 1 OFFSET @window - 1), 0)
                  """)}
          ORDER BY rank LIMIT @limit
          """;

    public override string Query(IReadOnlyList<SearchTerm> terms) =>
        string.Join(" AND ", terms.Select(t => "\"" + string.Join(' ', t.Tokens) + "\""));
}

internal sealed class PostgresMotionSearchSql : MotionSearchSql
{
    /// <summary>At most this many posting lists are merged; a longer query's other terms are checked on the results.</summary>
    public const int MaxLists = 6;

    public override string Search(bool byConference, IReadOnlyList<SearchTerm> terms) =>
        byConference ? ByConference : EveryConference(Lists(terms));

    private const string ByConference = """
          WITH q AS MATERIALIZED (SELECT websearch_to_tsquery('english', @query) AS q),
          recent AS (
              SELECT s.id, s.search FROM motion_search s WHERE s.search @@ (SELECT q FROM q) AND s.conference_id = @conferenceId
              ORDER BY s.id DESC LIMIT @window),
          top AS (
              SELECT r.id, ts_rank(r.search, (SELECT q FROM q)) AS rank FROM recent r
              ORDER BY rank DESC, r.id DESC LIMIT @limit)
          SELECT m.id AS Id, m.conference_id AS ConferenceId, c.name AS ConferenceName, m.number AS Number, m.title AS Title,
                 m.topic AS Topic, m.status AS Status, m.text AS Text
          FROM top JOIN motion m ON m.id = top.id JOIN conference c ON c.id = m.conference_id
          ORDER BY top.rank DESC, m.id DESC
          """;

    /// <summary>
    /// How many lists to merge for these terms: each adjacent pair within a phrase, and each other distinct word (stop
    /// words may leave fewer terms: the missing lists repeat the first, which costs little and adds nothing to the rank).
    /// </summary>
    internal static int Lists(IReadOnlyList<SearchTerm> terms)
    {
        var phrases = terms.Where(t => t.Tokens.Count > 1).ToList();
        var inPhrases = phrases.SelectMany(t => t.Tokens).ToHashSet();
        var lists = phrases.Sum(t => t.Tokens.Count - 1) + terms.SelectMany(t => t.Tokens).Distinct().Count(w => !inPhrases.Contains(w));
        return Math.Clamp(lists, 1, MaxLists);
    }

    /// <summary>
    /// The window: the newest @window motions holding every term (merge joins of the lists read backwards, index only,
    /// stopping at the last one needed), ranked by the sum of the terms' scores; then the best @limit of them that
    /// match the whole query (a phrase of three words or more, or a term beyond <see cref="MaxLists"/>, checked here).
    /// A phrase's terms are its pairs of adjacent words, which imply its words; a phrase broken by a stop word falls
    /// back to its words.
    /// </summary>
    private static string EveryConference(int lists)
    {
        var k = Enumerable.Range(1, lists).ToList();
        string Term(int i) => i == 1 ? "(SELECT a[1] FROM terms)" : $"coalesce((SELECT a[{i}] FROM terms), (SELECT a[1] FROM terms))";
        return $"""
          WITH q AS MATERIALIZED (SELECT websearch_to_tsquery('english', @query) AS q),
          pairs AS MATERIALIZED (
              SELECT DISTINCT t.term FROM string_to_table(@phrases, E'\n') AS ph, motion_terms(to_tsvector('english', ph)) t
              WHERE t.term LIKE '% %'),
          terms AS MATERIALIZED (
              SELECT array_agg(term ORDER BY term) AS a FROM (
                  SELECT term FROM pairs
                  UNION
                  SELECT l FROM unnest(tsvector_to_array(to_tsvector('english', @query))) AS l
                  WHERE l NOT IN (SELECT unnest(string_to_array(term, ' ')) FROM pairs) AND octet_length(l) <= 1000) x),
          recent AS (
              SELECT w1.id, {string.Join(" + ", k.Select(i => i == 1 ? "w1.score" : $"CASE WHEN (SELECT a[{i}] FROM terms) IS NULL THEN 0 ELSE w{i}.score END"))} AS rank
              FROM motion_term w1
              {string.Join("\n              ", k.Skip(1).Select(i => $"JOIN motion_term w{i} ON w{i}.id = w1.id AND w{i}.term = {Term(i)}"))}
              WHERE w1.term = {Term(1)}
              ORDER BY w1.id DESC LIMIT @window),
          top AS (
              SELECT r.id, r.rank FROM (SELECT id, rank FROM recent ORDER BY rank DESC, id DESC OFFSET 0) r
              WHERE (SELECT s.search @@ (SELECT q FROM q) FROM motion_search s WHERE s.id = r.id)
              LIMIT @limit)
          SELECT m.id AS Id, m.conference_id AS ConferenceId, c.name AS ConferenceName, m.number AS Number, m.title AS Title,
                 m.topic AS Topic, m.status AS Status, m.text AS Text
          FROM top JOIN motion m ON m.id = top.id JOIN conference c ON c.id = m.conference_id
          ORDER BY top.rank DESC, m.id DESC
          """;
    }

    /// <summary>
    /// Every term quoted, so that websearch_to_tsquery reads no operator ("or", "-") into the words: a quoted stop
    /// word is dropped, a quoted phrase must appear together.
    /// </summary>
    public override string Query(IReadOnlyList<SearchTerm> terms) =>
        string.Join(' ', terms.Select(t => "\"" + string.Join(' ', t.Tokens) + "\""));

    /// <summary>Also @phrases: the phrases, one a line, whose adjacent words are terms of their own.</summary>
    public override DynamicParameters Arguments(IReadOnlyList<SearchTerm> terms, long? conferenceId, int limit, int window)
    {
        var args = base.Arguments(terms, conferenceId, limit, window);
        args.Add("phrases", string.Join('\n', terms.Where(t => t.Tokens.Count > 1).Select(t => string.Join(' ', t.Tokens))));
        return args;
    }
}
