using System.Security.Claims;

namespace Ballot.Api.StaffConsole;

/// <summary>The layout's navigation: each role sees only the pages its policy lets it open. Add a page's entry here.</summary>
public static class ConsoleNavigation
{
    public sealed record Item(string Title, string Path, string Policy);

    public static readonly IReadOnlyList<Item> Items =
    [
        new("Home", "/", ConsolePolicies.Staff),
        new("Members", "/members", ConsolePolicies.Register),
        new("Workplaces", "/workplaces", ConsolePolicies.Register),
        new("Mailings", "/mailings", ConsolePolicies.Register),
        new("Ballots", "/ballots", ConsolePolicies.Oversight),
        new("Motions", "/conferences", ConsolePolicies.Register),
        new("Instructions", "/instructions", ConsolePolicies.Register),
        new("Leaflets", "/leaflets", ConsolePolicies.Register),
        new("Staff accounts", "/staff", ConsolePolicies.Executive),
        new("API tokens", "/tokens", ConsolePolicies.Executive),
    ];

    public static IEnumerable<Item> For(ClaimsPrincipal user) => Items.Where(i => user.Allows(i.Policy));
}
