using Ballot.Api.StaffConsole;
using Ballot.Core.Ballots;
using Ballot.Core.Ballots.Ceremony;
using Ballot.Core.Staff;
using MediatR;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Mvc;

namespace Ballot.Api.Pages.Ballots;

/// <summary>The executive names a draft's trustees and t of n, each with the staff token their trustee command will use (ADR 0902).</summary>
[Authorize(Policy = ConsolePolicies.Executive)]
public sealed class TrusteesModel(IMediator mediator) : ConsolePageModel
{
    public const int Rows = 5;

    [FromRoute(Name = "id")] public long Id { get; set; }

    public BallotView Ballot { get; private set; } = null!;
    public GetCeremony.View Ceremony { get; private set; } = null!;
    public IReadOnlyList<ListTokens.TokenView> Tokens { get; private set; } = [];
    public int Threshold { get; private set; } = NameTrustees.DefaultThreshold;
    public NameTrustees.TrusteeInput[] Trustees { get; private set; } = [];

    public async Task<IActionResult> OnGetAsync()
    {
        await Load();
        if (Ballot.Status != "draft") return Redirect($"/ballots/{Id}#ceremony");
        Threshold = Ceremony.Threshold ?? NameTrustees.DefaultThreshold;
        var named = Ceremony.Trustees.Select(t => new NameTrustees.TrusteeInput(t.Role, t.Name, t.Email, t.TokenId));
        var start = Ceremony.Trustees.Count > 0 ? named : [new("scrutineer", null, null, null), new("executive", null, null, null), new("reserve", null, null, null)];
        Trustees = [.. start.Concat(Enumerable.Repeat(new NameTrustees.TrusteeInput(null, null, null, null), Rows)).Take(Math.Max(Rows, Ceremony.Trustees.Count))];
        return Page();
    }

    public async Task<IActionResult> OnPostAsync()
    {
        var form = Request.Form;
        string? Field(int i, string name) => form[$"trustees[{i}].{name}"].FirstOrDefault() is { Length: > 0 } v ? v.Trim() : null;
        var rows = Enumerable.Range(0, Rows).Select(i => new NameTrustees.TrusteeInput(Field(i, "role"), Field(i, "name"), Field(i, "email"),
            long.TryParse(Field(i, "tokenId"), out var token) ? token : null)).ToArray();
        // Blank rows at the end are spare; a blank row between filled ones is an error at its own index.
        var used = Array.FindLastIndex(rows, r => r.Role is not null || r.Name is not null || r.Email is not null || r.TokenId is not null) + 1;
        Threshold = int.TryParse(form["threshold"].FirstOrDefault(), out var t) ? t : 0;
        Trustees = rows;
        var (ok, _) = await TrySend(mediator, new NameTrustees.Command(Id, new NameTrustees.Input(Threshold, rows[..used]), User.BallotActor()));
        if (!ok)
        {
            await Load();
            return Page();
        }
        Tell("The trustees are named. Each now runs trustee init with the token named for them.");
        return Redirect($"/ballots/{Id}#ceremony");
    }

    private async Task Load()
    {
        Ballot = await mediator.Send(new GetBallot.Query(Id), HttpContext.RequestAborted);
        Ceremony = await mediator.Send(new GetCeremony.Query(Id), HttpContext.RequestAborted);
        Tokens = [.. (await mediator.Send(new ListTokens.Query(), HttpContext.RequestAborted)).Where(x => x.RevokedAt is null)];
    }
}
