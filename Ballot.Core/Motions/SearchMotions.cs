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
    public const int RankWindow = 1000;

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
        public string Snippet { get; init; } = "";
    }

    public sealed class Handler(Db db) : IRequestHandler<Query, Result>
    {
        public async Task<Result> Handle(Query q, CancellationToken ct)
        {
            var terms = Parse(q.Q!);
            await using var conn = await db.OpenAsync(ct);
            var hits = await conn.QueryAsync<Hit>(new CommandDefinition(MotionsSql.Search(db.Dialect, q.ConferenceId is not null),
                new { query = MotionsSql.Query(db.Dialect, terms), conferenceId = q.ConferenceId, limit = q.Limit, window = RankWindow }, cancellationToken: ct));
            return new Result(q.Q!, hits.AsList());
        }
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
