using Ballot.Api.StaffConsole;
using Ballot.Core.Motions;
using MediatR;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Mvc;

namespace Ballot.Api.Pages.Motions;

/// <summary>Full-text search over every conference's motions, with the matching words highlighted in each snippet.</summary>
[Authorize(Policy = ConsolePolicies.Register)]
public sealed class SearchModel(IMediator mediator) : ConsolePageModel
{
    [BindProperty(SupportsGet = true, Name = "q")] public string? Q { get; set; }

    public SearchMotions.Result? Result { get; private set; }

    public async Task OnGetAsync()
    {
        if (Q is null) return;
        (_, Result) = await TrySend(mediator, new SearchMotions.Query(Q));
    }

    /// <summary>A snippet marks matches as [word]; split it into plain text and matches.</summary>
    public static IEnumerable<(string Text, bool Match)> Parts(string snippet)
    {
        var at = 0;
        while (at < snippet.Length)
        {
            var open = snippet.IndexOf('[', at);
            var close = open < 0 ? -1 : snippet.IndexOf(']', open);
            if (open < 0 || close < 0)
            {
                yield return (snippet[at..], false);
                yield break;
            }
            if (open > at) yield return (snippet[at..open], false);
            yield return (snippet[(open + 1)..close], true);
            at = close + 1;
        }
    }
}
