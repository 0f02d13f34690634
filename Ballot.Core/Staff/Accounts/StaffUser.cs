namespace Ballot.Core.Staff.Accounts;

/// <summary>A person's staff account, as ASP.NET Core Identity's UserManager sees it (one row of staff_account).</summary>
public sealed class StaffUser
{
    public long Id { get; set; }
    public string Email { get; set; } = "";
    public string NormalizedEmail { get; set; } = "";
    public string Name { get; set; } = "";
    public string Role { get; set; } = "";
    public string Status { get; set; } = AccountStatus.Invited;
    public string? PasswordHash { get; set; }
    public string SecurityStamp { get; set; } = "";
    public string ConcurrencyStamp { get; set; } = "";
    public string? AuthenticatorKey { get; set; }
    public DateTimeOffset? TwoFactorEnabledAt { get; set; }
    public int AccessFailedCount { get; set; }
    public DateTimeOffset? LockoutEnd { get; set; }
    public DateTimeOffset CreatedAt { get; set; }

    /// <summary>Executives and scrutineers must use an authenticator app (issue 12).</summary>
    public bool RequiresTwoFactor => Role is Roles.Executive or Roles.Scrutineer;
}

public static class AccountStatus
{
    public const string Invited = "invited";
    public const string Active = "active";
    public const string Disabled = "disabled";

    public static readonly IReadOnlyList<string> All = [Invited, Active, Disabled];
}
