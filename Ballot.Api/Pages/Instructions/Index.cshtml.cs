using Ballot.Api.StaffConsole;
using Ballot.Core.Motions;
using MediatR;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Mvc;

namespace Ballot.Api.Pages.Instructions;

/// <summary>The instructions board: what carried motions told the Executive to do, and what carries each out.</summary>
[Authorize(Policy = ConsolePolicies.Register)]
public sealed class IndexModel(IMediator mediator) : ConsolePageModel
{
    [BindProperty(SupportsGet = true, Name = "status")] public string? Status { get; set; }

    public IReadOnlyList<InstructionView> Items { get; private set; } = [];
    public IReadOnlyDictionary<DescribeLinks.Link, DescribeLinks.State> States { get; private set; } = new Dictionary<DescribeLinks.Link, DescribeLinks.State>();

    public async Task OnGetAsync()
    {
        Status = ListInstructions.Statuses.Contains(Status) ? Status : "open";
        Items = await mediator.Send(new ListInstructions.Query(Status), HttpContext.RequestAborted);
        States = await mediator.Send(new DescribeLinks.Query(Items.SelectMany(i => i.Links).Select(l => new DescribeLinks.Link(l.Kind, l.Id)).ToList(),
            User.Allows(ConsolePolicies.Oversight)), HttpContext.RequestAborted);
    }
}
