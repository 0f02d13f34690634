using Ballot.Core.Motions;

namespace Ballot.Api.Pages.Instructions;

/// <summary>Where each kind of linked item lives in the console.</summary>
public static class LinkedPages
{
    public static string Path(string kind, long id) => kind switch
    {
        "ballot" => $"/ballots/{id}",
        "mailing" => $"/mailings/{id}",
        _ => $"/leaflets/{id}",
    };

    public static string Label(LinkView link, IReadOnlyDictionary<DescribeLinks.Link, DescribeLinks.State> states) =>
        states.TryGetValue(new DescribeLinks.Link(link.Kind, link.Id), out var s) ? s.Title : $"{link.Kind} {link.Id}";

    public static string State(LinkView link, IReadOnlyDictionary<DescribeLinks.Link, DescribeLinks.State> states) =>
        states.TryGetValue(new DescribeLinks.Link(link.Kind, link.Id), out var s) ? s.Summary : $"{link.Kind} no longer exists";
}
