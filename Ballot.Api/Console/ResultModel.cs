using Ballot.Core.Ballots;

namespace Ballot.Api.StaffConsole;

/// <summary>
/// What the result partial shows: totals per question for the chart, one page of constituencies, and the receipts that
/// matched a search. The figures are GetResult's; this only arranges them.
/// </summary>
public sealed class ResultModel(GetResult.View view, string? receipt, IReadOnlyList<string> found, int page)
{
    public const int PageSize = 100;

    public sealed record QuestionTotals(string Id, string Text, IReadOnlyList<OptionCount> Totals);

    public GetResult.View View { get; } = view;
    public string? Receipt { get; } = string.IsNullOrWhiteSpace(receipt) ? null : receipt.Trim();
    public int Pages { get; } = Math.Max(1, (view.Result.Constituencies.Count + PageSize - 1) / PageSize);
    public int PageNumber => Math.Clamp(_page, 1, Pages);
    private readonly int _page = page;

    public IReadOnlyList<QuestionTotals> Questions => _questions ??= TotalsOf.GetValue(View.Result, Totals);
    private IReadOnlyList<QuestionTotals>? _questions;

    /// <summary>A count never changes, and CountedResults keeps one instance per count: its totals are added up once.</summary>
    private static readonly System.Runtime.CompilerServices.ConditionalWeakTable<BallotResult, IReadOnlyList<QuestionTotals>> TotalsOf = new();

    /// <summary>Receipts counted that contain the search (SearchReceipts), at most 50.</summary>
    public IReadOnlyList<string> Found { get; } = found;

    public IEnumerable<(string Name, QuestionResult Question)> Rows(string questionId) =>
        View.Result.Constituencies.Skip((PageNumber - 1) * PageSize).Take(PageSize)
            .Select(c => (c.Name, c.Questions.First(q => q.Id == questionId)));

    private static IReadOnlyList<QuestionTotals> Totals(BallotResult result)
    {
        var first = result.Constituencies.FirstOrDefault();
        if (first is null) return [];
        return first.Questions.Select(q => new QuestionTotals(q.Id, q.Text, q.Options.Select(o => new OptionCount(o.Option,
                result.Constituencies.Sum(c => c.Questions.First(x => x.Id == q.Id).Options.First(x => x.Option == o.Option).Votes))).ToList()))
            .ToList();
    }

}
