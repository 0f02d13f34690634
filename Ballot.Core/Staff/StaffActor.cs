namespace Ballot.Core.Staff;

/// <summary>
/// Who on the staff did something, as the member history records it. <see cref="Kind"/> says what signed them in:
/// "token" for a bearer token (<see cref="Id"/> is the token's id), "account" for a staff account once those exist.
/// </summary>
public sealed record StaffActor(string Kind, string Id, string Name, string Role)
{
    /// <summary>
    /// The one form in which a ballot's audit chain, mailings, notices and paper batches name who acted: "role:name".
    /// What signed them in is kept beside each change to the register (<c>member_change</c>), not in this text.
    /// </summary>
    public string AuditName => $"{Role}:{Name}";
}
