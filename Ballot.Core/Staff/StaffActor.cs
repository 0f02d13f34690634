namespace Ballot.Core.Staff;

/// <summary>
/// Who on the staff did something, as the member history records it. <see cref="Kind"/> says what signed them in:
/// "token" for a bearer token (<see cref="Id"/> is the token's id), "account" for a staff account once those exist.
/// </summary>
public sealed record StaffActor(string Kind, string Id, string Name, string Role)
{
    /// <summary>As the ballot's audit chain names an actor: role and name, then what signed them in.</summary>
    public override string ToString() => $"{Role}:{Name} ({Kind} {Id})";
}
