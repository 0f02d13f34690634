using Ballot.Api.StaffConsole;
using Ballot.Core.Ballots;
using MediatR;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Mvc;

namespace Ballot.Api.Pages.Ballots;

/// <summary>The count for staff, from the close (before certification too); the employers' notice once certified.</summary>
[Authorize(Policy = ConsolePolicies.Oversight)]
public sealed class ResultPageModel(IMediator mediator) : ConsolePageModel
{
    [FromRoute(Name = "id")] public long Id { get; set; }
    [FromQuery(Name = "receipt")] public string? Receipt { get; set; }
    [FromQuery(Name = "page")] public int PageNumber { get; set; } = 1;

    public BallotView Ballot { get; private set; } = null!;
    public ResultModel? Result { get; private set; }
    public string? NotYet { get; private set; }

    public async Task OnGetAsync()
    {
        Ballot = await mediator.Send(new GetBallot.Query(Id), HttpContext.RequestAborted);
        try
        {
            var view = await mediator.Send(new GetResult.Query(Id, Staff: true, WithReceipts: false), HttpContext.RequestAborted);
            var found = string.IsNullOrWhiteSpace(Receipt) ? [] : await mediator.Send(new SearchReceipts.Query(Id, Staff: true, Receipt), HttpContext.RequestAborted);
            Result = new ResultModel(view, Receipt, found, PageNumber);
        }
        catch (Ballot.Core.Common.Conflict c)
        {
            NotYet = c.Message;
        }
    }

    /// <summary>The s.231A notice as a Markdown file, as the JSON API serves it.</summary>
    public async Task<IActionResult> OnGetNoticeAsync()
    {
        var text = await mediator.Send(new EmployerNotice.Query(Id), HttpContext.RequestAborted);
        return File(System.Text.Encoding.UTF8.GetBytes(text), "text/markdown; charset=utf-8", $"employer-notice-ballot-{Id}.md");
    }
}
