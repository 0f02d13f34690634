using Ballot.Api.StaffConsole;
using Ballot.Core.Ballots;
using MediatR;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Mvc;

namespace Ballot.Api.Pages.Ballots;

/// <summary>Who has voted, never how: GetTurnout reads participation only, so no choice can reach this page before close.</summary>
[Authorize(Policy = ConsolePolicies.Oversight)]
public sealed class TurnoutModel(IMediator mediator, TimeProvider clock) : ConsolePageModel
{
    public const int PageSize = 100;
    public static readonly IReadOnlyList<string> Columns = GetTurnout.SortColumns;

    [FromRoute(Name = "id")] public long Id { get; set; }
    [FromQuery(Name = "sort")] public string? Sort { get; set; }
    [FromQuery(Name = "dir")] public string? Dir { get; set; }
    [FromQuery(Name = "page")] public int PageNumber { get; set; } = 1;

    public BallotView Ballot { get; private set; } = null!;
    public GetTurnout.View Turnout { get; private set; } = null!;
    public IReadOnlyList<GetTurnout.Constituency> Rows { get; private set; } = [];
    public IReadOnlyList<GetReminderSchedule.Reminder> Reminders { get; private set; } = [];
    public int Pages { get; private set; }
    public DateTimeOffset Now => clock.GetUtcNow();

    public async Task OnGetAsync()
    {
        var ct = HttpContext.RequestAborted;
        Ballot = await mediator.Send(new GetBallot.Query(Id), ct);
        Reminders = await mediator.Send(new GetReminderSchedule.Query(Id), ct);
        if (!Columns.Contains(Sort)) Sort = "name";
        Dir = Dir == "desc" ? "desc" : "asc";
        // The page number is clamped once the count is known; a number past the end shows the last page.
        PageNumber = Math.Max(1, PageNumber);
        Turnout = await mediator.Send(new GetTurnout.Query(Id, new GetTurnout.Order(Sort!, Dir == "desc", PageNumber, PageSize)), ct);
        Pages = Math.Max(1, (Turnout.ConstituencyCount + PageSize - 1) / PageSize);
        if (PageNumber > Pages)
        {
            PageNumber = Pages;
            Turnout = await mediator.Send(new GetTurnout.Query(Id, new GetTurnout.Order(Sort!, Dir == "desc", PageNumber, PageSize)), ct);
        }
        Rows = Turnout.Constituencies;
    }

    /// <summary>The link a column header carries: sort by it, or reverse the order if it is already the sort.</summary>
    public string SortLink(string column) =>
        $"/ballots/{Id}/turnout?sort={column}&dir={(Sort == column && Dir == "asc" ? "desc" : "asc")}";

    public string? AriaSort(string column) => Sort == column ? (Dir == "asc" ? "ascending" : "descending") : null;
}
