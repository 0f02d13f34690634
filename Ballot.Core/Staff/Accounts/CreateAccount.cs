using Ballot.Core.Common;
using Ballot.Core.Data;
using MediatR;
using Microsoft.AspNetCore.Identity;
using Microsoft.Extensions.Options;

namespace Ballot.Core.Staff.Accounts;

/// <summary>
/// A new account, invited: it has no password until its owner opens a one-time set-up link. `staff create` prints the
/// link returned here; an invitation from the console (<see cref="Command.Invite"/>) queues a letter instead, and the
/// worker mints the link as it sends it.
/// </summary>
public static class CreateAccount
{
    public sealed record Command(string Email, string Name, string Role, Actor Actor, bool Invite = false) : IRequest<Created>, IValidatable
    {
        public void Validate(Problems p) => p.Required("email", Email).Email("email", Email?.Trim()).Required("name", Name)
            .Required("role", Role).OneOf("role", Role, Roles.All.ToArray());
    }

    /// <summary>The set-up token is shown once, here, and only its hash is stored; null when a letter was queued instead.</summary>
    public sealed record Created(long Id, string Email, string Name, string Role, string? SetupToken, DateTimeOffset ExpiresAt)
    {
        public string? SetupPath => SetupToken is null ? null : SetupLinks.Path(SetupToken);
    }

    public sealed class Handler(UserManager<StaffUser> users, Db db, TimeProvider clock, IOptions<StaffAccountOptions> options)
        : IRequestHandler<Command, Created>
    {
        public async Task<Created> Handle(Command cmd, CancellationToken ct)
        {
            var user = new StaffUser { Email = cmd.Email.Trim(), Name = cmd.Name.Trim(), Role = cmd.Role, Status = AccountStatus.Invited, CreatedAt = clock.GetUtcNow() };
            var result = await users.CreateAsync(user);
            if (!result.Succeeded)
                throw result.Errors.Any(e => e.Code is "DuplicateEmail" or "DuplicateUserName")
                    ? new Conflict($"There is already an account for {user.Email}.")
                    : ValidationFailed.For("email", string.Join(" ", result.Errors.Select(e => e.Description)));
            var now = clock.GetUtcNow();
            var lifetime = TimeSpan.FromHours(options.Value.SetupLinkHours);
            await using var conn = await db.OpenAsync(ct);
            await using var tx = await db.BeginWriteAsync(conn, ct);
            string? token = null;
            if (cmd.Invite) await StaffLetters.QueueAsync(conn, tx, user.Id, StaffLetters.Invitation, cmd.Actor, now);
            else token = await SetupLinks.IssueAsync(conn, tx, user.Id, now, lifetime);
            await AccountEvents.RecordAsync(conn, tx, user.Id, cmd.Actor, cmd.Invite ? "invited" : "created", $"as {user.Role}", now);
            await tx.CommitAsync(ct);
            return new Created(user.Id, user.Email, user.Name, user.Role, token, now + lifetime);
        }
    }
}
