using System.Text;
using Ballot.Core.Common;
using Ballot.Core.Data;
using Dapper;
using MediatR;

namespace Ballot.Core.Motions;

/// <summary>One word, or a "quoted phrase", of a search: its words in order.</summary>
public sealed record SearchTerm(IReadOnlyList<string> Tokens, bool Quoted);

/// <summary>
/// Full-text search over motion titles and texts: every word must appear (in any form: "pays" finds "pay");
/// "quoted words" must appear together, in order. Best matches first, a title match above a text match, among the
/// <see cref="RankWindow"/> most recent motions that match.
/// </summary>
public static class SearchMotions
{
    /// <summary>How many of the most recent matching motions are ranked for relevance.</summary>
    public const int RankWindow = 500;

    public sealed record Query(string? Q, long? ConferenceId = null, int Limit = 20) : IRequest<Result>, IValidatable
    {
        public void Validate(Problems p)
        {
            p.Required("q", Q, 500);
            if (Limit is < 1 or > 100) p.Add("limit", "limit must be between 1 and 100.");
            if (!string.IsNullOrWhiteSpace(Q) && Q.Length <= 500 && Parse(Q).Count == 0) p.Add("q", "q has no words to search for.");
        }
    }

    public sealed record Result(string Query, IReadOnlyList<Hit> Items);

    public sealed class Hit
    {
        public long Id { get; init; }
        public long ConferenceId { get; init; }
        public string ConferenceName { get; init; } = "";
        public int Number { get; init; }
        public string Title { get; init; } = "";
        public string? Topic { get; init; }
        public string Status { get; init; } = "";
        public string Snippet { get; set; } = "";

        [System.Text.Json.Serialization.JsonIgnore]
        public string Text { get; init; } = "";
    }

    public sealed class Handler(Db db, MotionSearchSql sql) : IRequestHandler<Query, Result>
    {
        public async Task<Result> Handle(Query q, CancellationToken ct)
        {
            var terms = Parse(q.Q!);
            await using var conn = await db.OpenAsync(ct);
            var hits = await conn.QueryAsync<Hit>(new CommandDefinition(sql.Search(q.ConferenceId is not null, terms),
                sql.Arguments(terms, q.ConferenceId, q.Limit, RankWindow), cancellationToken: ct));
            var list = hits.AsList();
            foreach (var h in list) h.Snippet = Snippet(h.Text, terms);
            return new Result(q.Q!, list);
        }
    }

    /// <summary>
    /// About <paramref name="words"/> words of the text around the first word that matches the query, each matching
    /// word in [brackets]. A word matches a query word it starts with, less a two-letter ending ("classes" for "class",
    /// "pays" for "pay"): close to the engines' stemming, and only for display.
    /// </summary>
    public static string Snippet(string text, IReadOnlyList<SearchTerm> terms, int words = 24)
    {
        var stems = terms.SelectMany(t => t.Tokens).Select(t => t.Length > 4 ? t[..^2] : t).Distinct().ToList();
        var spans = new List<(int Start, int End)>();
        for (var i = 0; i < text.Length;)
        {
            if (!char.IsLetterOrDigit(text[i])) { i++; continue; }
            var start = i;
            while (i < text.Length && char.IsLetterOrDigit(text[i])) i++;
            spans.Add((start, i));
        }
        if (spans.Count == 0) return "";
        bool Matches((int Start, int End) w) =>
            stems.Any(s => w.End - w.Start >= s.Length && string.Compare(text, w.Start, s, 0, s.Length, StringComparison.OrdinalIgnoreCase) == 0);
        bool Is((int Start, int End) w, string token)
        {
            var stem = token.Length > 4 ? token[..^2] : token;
            return w.End - w.Start >= stem.Length && string.Compare(text, w.Start, stem, 0, stem.Length, StringComparison.OrdinalIgnoreCase) == 0;
        }
        // Centre on the first place a quoted phrase occurs whole, else on the first matching word.
        var first = -1;
        foreach (var phrase in terms.Where(t => t.Quoted && t.Tokens.Count > 1))
            for (var k = 0; k + phrase.Tokens.Count <= spans.Count && first < 0; k++)
                if (phrase.Tokens.Select((t, j) => Is(spans[k + j], t)).All(x => x)) first = k;
        if (first < 0) first = spans.FindIndex(w => Matches(w));
        var from = Math.Max(0, (first < 0 ? 0 : first) - words / 3);
        var to = Math.Min(spans.Count, from + words);
        from = Math.Max(0, to - words);
        var sb = new StringBuilder();
        if (from > 0) sb.Append('…');
        var at = spans[from].Start;
        for (var k = from; k < to; k++)
        {
            var w = spans[k];
            sb.Append(text, at, w.Start - at);
            if (Matches(w)) sb.Append('[').Append(text, w.Start, w.End - w.Start).Append(']');
            else sb.Append(text, w.Start, w.End - w.Start);
            at = w.End;
        }
        if (to < spans.Count) sb.Append('…');
        else sb.Append(text, at, text.Length - at);
        return System.Text.RegularExpressions.Regex.Replace(sb.ToString(), @"\s+", " ").Trim();
    }

    /// <summary>
    /// Splits the query into words and "phrases" of letters and digits; everything else separates words, as the
    /// engines' tokenisers do, so no operator syntax of either engine reaches it.
    /// </summary>
    public static IReadOnlyList<SearchTerm> Parse(string q)
    {
        var terms = new List<SearchTerm>();
        var inQuote = false;
        var phrase = new List<string>();
        var word = new StringBuilder();
        void EndWord()
        {
            if (word.Length == 0) return;
            var w = word.ToString().ToLowerInvariant();
            word.Clear();
            if (inQuote) phrase.Add(w);
            else terms.Add(new SearchTerm([w], false));
        }
        foreach (var c in q)
        {
            if (char.IsLetterOrDigit(c)) { word.Append(c); continue; }
            EndWord();
            if (c != '"') continue;
            if (inQuote && phrase.Count > 0) terms.Add(new SearchTerm(phrase.ToList(), true));
            phrase.Clear();
            inQuote = !inQuote;
        }
        EndWord();
        if (inQuote && phrase.Count > 0) terms.Add(new SearchTerm(phrase.ToList(), true));
        return terms;
    }
}
