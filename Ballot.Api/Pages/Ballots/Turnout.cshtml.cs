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
    public static readonly string[] Columns = ["name", "entitled", "voted", "percent"];

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
        Turnout = await mediator.Send(new GetTurnout.Query(Id), ct);
        Reminders = await mediator.Send(new GetReminderSchedule.Query(Id), ct);
        if (!Columns.Contains(Sort)) Sort = "name";
        var descending = Dir == "desc";
        Dir = descending ? "desc" : "asc";
        IEnumerable<GetTurnout.Constituency> sorted = Sort switch
        {
            "entitled" => Turnout.Constituencies.OrderBy(c => c.Entitled),
            "voted" => Turnout.Constituencies.OrderBy(c => c.Voted),
            "percent" => Turnout.Constituencies.OrderBy(c => c.Percent),
            _ => Turnout.Constituencies,
        };
        if (descending) sorted = sorted.Reverse();
        Pages = Math.Max(1, (Turnout.Constituencies.Count + PageSize - 1) / PageSize);
        PageNumber = Math.Clamp(PageNumber, 1, Pages);
        Rows = sorted.Skip((PageNumber - 1) * PageSize).Take(PageSize).ToList();
    }

    /// <summary>The link a column header carries: sort by it, or reverse the order if it is already the sort.</summary>
    public string SortLink(string column) =>
        $"/ballots/{Id}/turnout?sort={column}&dir={(Sort == column && Dir == "asc" ? "desc" : "asc")}";

    public string? AriaSort(string column) => Sort == column ? (Dir == "asc" ? "ascending" : "descending") : null;
}
