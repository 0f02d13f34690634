namespace Ballot.Core.Motions;

/// <summary>
/// Best matches first, the title weighing more than the text, ranked among the <c>@window</c> most recent matching
/// motions: ranking every match of a common word costs time in proportion to the matches (about 7 ms for 8,000 on
/// SQLite), ranking a bounded window does not (docs/decisions/0402-search-ranks-a-recent-window.md).
/// SQLite: FTS5, the window as a rowid floor that FTS5 applies while it reads the index (within one conference, the
/// conference's id range instead), then "ORDER BY rank" (bm25 weights set in the migration).
/// PostgreSQL: the narrow motion_search table (ADR 0820); the window's ids found span by span from the newest
/// (<c>motion_recent_matches</c>), then ranked. Both return the text; the snippet is cut
/// in C# (<see cref="SearchMotions.Snippet"/>), the same on both engines and far cheaper than ts_headline.
/// One class per engine, chosen once (ADR 0002): the two engines' full-text searches share nothing but their parameters
/// (@query, @conferenceId, @window, @limit).
/// </summary>
public abstract class MotionSearchSql
{
    /// <summary>The search, over every conference or within @conferenceId.</summary>
    public abstract string Search(bool byConference);

    /// <summary>The query in the engine's full-text syntax: every word must appear; "quoted words" as a phrase.</summary>
    public abstract string Query(IReadOnlyList<SearchTerm> terms);
}

internal sealed class SqliteMotionSearchSql : MotionSearchSql
{
    public override string Search(bool byConference) => $"""
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
    public override string Search(bool byConference) => $"""
          WITH q AS MATERIALIZED (SELECT websearch_to_tsquery('english', @query) AS q),
          recent AS ({(byConference
              ? "SELECT s.id, s.search FROM motion_search s WHERE s.search @@ (SELECT q FROM q) AND s.conference_id = @conferenceId ORDER BY s.id DESC LIMIT @window"
              : "SELECT s.id, s.search FROM unnest(motion_recent_matches((SELECT q FROM q), @window)) AS r (id) JOIN motion_search s ON s.id = r.id")}),
          top AS (
              SELECT r.id, ts_rank(r.search, (SELECT q FROM q)) AS rank FROM recent r
              ORDER BY rank DESC, r.id DESC LIMIT @limit)
          SELECT m.id AS Id, m.conference_id AS ConferenceId, c.name AS ConferenceName, m.number AS Number, m.title AS Title,
                 m.topic AS Topic, m.status AS Status, m.text AS Text
          FROM top JOIN motion m ON m.id = top.id JOIN conference c ON c.id = m.conference_id
          ORDER BY top.rank DESC, m.id DESC
          """;

    public override string Query(IReadOnlyList<SearchTerm> terms) =>
        string.Join(' ', terms.Select(t => t.Tokens.Count == 1 ? t.Tokens[0] : "\"" + string.Join(' ', t.Tokens) + "\""));
}
