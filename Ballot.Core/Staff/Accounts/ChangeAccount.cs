using Ballot.Core.Common;
using Ballot.Core.Data;
using Dapper;
using MediatR;
using Microsoft.AspNetCore.Identity;
using Microsoft.Extensions.Options;

namespace Ballot.Core.Staff.Accounts;

/// <summary>
/// An executive changes an account: its role, whether it may sign in, its authenticator. Each change is recorded with
/// who made it. Disabling, or resetting the authenticator, changes the security stamp, so the account's open sessions
/// end at their next request. The last active executive can be neither demoted nor disabled: someone must remain who
/// can manage accounts.
/// </summary>
public static class ChangeAccount
{
    public sealed record ChangeRole(long Id, string Role, Actor Actor) : IRequest<Unit>, IValidatable
    {
        public void Validate(Problems p) => p.Required("role", Role).OneOf("role", Role, Roles.All.ToArray());
    }

    public sealed record Disable(long Id, Actor Actor) : IRequest<Unit>;

    public sealed record Enable(long Id, Actor Actor) : IRequest<Unit>;

    /// <summary>
    /// Clears the authenticator. With <see cref="Mail"/> the worker mails a new set-up link; without (the command line)
    /// the link is returned to be handed over.
    /// </summary>
    public sealed record ResetTwoFactor(long Id, Actor Actor, bool Mail) : IRequest<string?>;

    /// <summary>Queues a new invitation letter for an account not yet set up.</summary>
    public sealed record ResendInvitation(long Id, Actor Actor) : IRequest<Unit>;

    public sealed class Handler(UserManager<StaffUser> users, Db db, TimeProvider clock, IOptions<StaffAccountOptions> options) :
        IRequestHandler<ChangeRole, Unit>, IRequestHandler<Disable, Unit>, IRequestHandler<Enable, Unit>,
        IRequestHandler<ResetTwoFactor, string?>, IRequestHandler<ResendInvitation, Unit>
    {
        public async Task<Unit> Handle(ChangeRole cmd, CancellationToken ct)
        {
            var user = await Load(cmd.Id);
            if (user.Role == cmd.Role) return Unit.Value;
            if (user.Role == Roles.Executive) await KeepAnExecutive(user);
            var before = user.Role;
            user.Role = cmd.Role;
            // A role that needs an authenticator, on an account without one: its sessions end and it gets a set-up letter.
            var needsAuthenticator = user.RequiresTwoFactor && user.TwoFactorEnabledAt is null && user.Status == AccountStatus.Active;
            Check(needsAuthenticator ? await users.UpdateSecurityStampAsync(user) : await users.UpdateAsync(user));
            await Record(user.Id, cmd.Actor, "role changed", $"from {before} to {cmd.Role}", needsAuthenticator ? StaffLetters.SetUp : null);
            return Unit.Value;
        }

        public async Task<Unit> Handle(Disable cmd, CancellationToken ct)
        {
            var user = await Load(cmd.Id);
            if (user.Status == AccountStatus.Disabled) throw new Conflict($"{user.Name}'s account is already disabled.");
            if (user.Role == Roles.Executive) await KeepAnExecutive(user);
            user.Status = AccountStatus.Disabled;
            Check(await users.UpdateSecurityStampAsync(user));
            await Record(user.Id, cmd.Actor, "disabled", null, null);
            return Unit.Value;
        }

        public async Task<Unit> Handle(Enable cmd, CancellationToken ct)
        {
            var user = await Load(cmd.Id);
            if (user.Status != AccountStatus.Disabled) throw new Conflict($"{user.Name}'s account is not disabled.");
            user.Status = user.PasswordHash is null ? AccountStatus.Invited : AccountStatus.Active;
            Check(await users.UpdateSecurityStampAsync(user));
            await Record(user.Id, cmd.Actor, "enabled", null, null);
            return Unit.Value;
        }

        public async Task<string?> Handle(ResetTwoFactor cmd, CancellationToken ct)
        {
            var user = await Load(cmd.Id);
            if (user.Status == AccountStatus.Disabled) throw new Conflict($"{user.Name}'s account is disabled; enable it first.");
            user.AuthenticatorKey = null;
            user.TwoFactorEnabledAt = null;
            Check(await users.UpdateSecurityStampAsync(user));
            var now = clock.GetUtcNow();
            await using var conn = await db.OpenAsync(ct);
            await using var tx = await db.BeginWriteAsync(conn, ct);
            await AccountEvents.RecordAsync(conn, tx, user.Id, cmd.Actor, "authenticator reset", null, now);
            string? token = null;
            if (cmd.Mail) await StaffLetters.QueueAsync(conn, tx, user.Id, StaffLetters.SetUp, cmd.Actor, now);
            else token = await SetupLinks.IssueAsync(conn, tx, user.Id, now, TimeSpan.FromHours(options.Value.SetupLinkHours));
            await tx.CommitAsync(ct);
            return token;
        }

        public async Task<Unit> Handle(ResendInvitation cmd, CancellationToken ct)
        {
            var user = await Load(cmd.Id);
            if (user.Status != AccountStatus.Invited) throw new Conflict($"{user.Name} has already set up their account.");
            await Record(user.Id, cmd.Actor, "invitation sent again", null, StaffLetters.Invitation);
            return Unit.Value;
        }

        private async Task<StaffUser> Load(long id) =>
            await users.FindByIdAsync(id.ToString()) ?? throw new NotFound($"No staff account with id {id}.");

        private async Task KeepAnExecutive(StaffUser user)
        {
            await using var conn = await db.OpenAsync();
            var others = await conn.ExecuteScalarAsync<long>(
                "SELECT COUNT(*) FROM staff_account WHERE role = 'executive' AND status = 'active' AND id <> @Id", new { user.Id });
            if (others == 0)
                throw new Conflict($"{user.Name} is the only active executive. Make someone else an executive first, so someone can still manage accounts.");
        }

        private async Task Record(long accountId, Actor actor, string action, string? detail, string? letter)
        {
            var now = clock.GetUtcNow();
            await using var conn = await db.OpenAsync();
            await using var tx = await db.BeginWriteAsync(conn);
            await AccountEvents.RecordAsync(conn, tx, accountId, actor, action, detail, now);
            if (letter is not null) await StaffLetters.QueueAsync(conn, tx, accountId, letter, actor, now);
            await tx.CommitAsync();
        }

        private static void Check(IdentityResult r)
        {
            if (!r.Succeeded) throw new Conflict("The account was changed at the same time; reload and try again.");
        }
    }
}
