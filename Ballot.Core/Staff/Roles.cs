namespace Ballot.Core.Staff;

public static class Roles
{
    public const string Executive = "executive";
    public const string Organiser = "organiser";
    public const string Scrutineer = "scrutineer";

    public static readonly IReadOnlyList<string> All = [Executive, Organiser, Scrutineer];
}
