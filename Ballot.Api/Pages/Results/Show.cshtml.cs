using Ballot.Api.StaffConsole;
using Ballot.Core.Ballots;
using Ballot.Core.Common;
using MediatR;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Mvc;

namespace Ballot.Api.Pages.Results;

/// <summary>The certified result for anyone, signed in or not; GetResult refuses it to the public before certification.</summary>
[AllowAnonymous]
public sealed class ShowModel(IMediator mediator) : ConsolePageModel
{
    [FromRoute(Name = "id")] public long Id { get; set; }
    [FromQuery(Name = "receipt")] public string? Receipt { get; set; }
    [FromQuery(Name = "page")] public int PageNumber { get; set; } = 1;

    public string Title { get; private set; } = "";
    public ResultModel? Result { get; private set; }

    public async Task<IActionResult> OnGetAsync()
    {
        try
        {
            var view = await mediator.Send(new GetResult.Query(Id, Staff: false, WithReceipts: false), HttpContext.RequestAborted);
            var found = string.IsNullOrWhiteSpace(Receipt) ? [] : await mediator.Send(new SearchReceipts.Query(Id, Staff: false, Receipt), HttpContext.RequestAborted);
            Result = new ResultModel(view, Receipt, found, PageNumber);
            Title = (await mediator.Send(new GetBallot.Query(Id), HttpContext.RequestAborted)).Title;
            return Page();
        }
        catch (Exception e) when (e is Forbidden or Conflict)
        {
            // Whether a ballot exists, is open or awaits certification is not the public's business before publication.
            Response.StatusCode = StatusCodes.Status404NotFound;
            return Page();
        }
    }
}
