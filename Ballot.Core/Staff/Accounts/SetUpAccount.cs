using Ballot.Core.Common;
using Ballot.Core.Data;
using Dapper;
using MediatR;
using Microsoft.AspNetCore.Identity;
using Microsoft.Extensions.Options;

namespace Ballot.Core.Staff.Accounts;

/// <summary>
/// What the owner of a set-up link sees and does: choose a password (unless they have one) and set up an authenticator
/// app (required for executives and scrutineers). The link works once.
/// </summary>
public static class SetUpAccount
{
    public sealed record Query(string Token) : IRequest<View?>;

    public sealed record View(long Id, string Name, string Email, string Role, bool NeedsPassword, bool AuthenticatorRequired,
        bool AuthenticatorSetUp, string? AuthenticatorKey, string? AuthenticatorUri);

    public sealed record Command(string Token, string? Password, string? ConfirmPassword, string? Code) : IRequest<Unit>;

    /// <summary>The key the app is given: generated once, when the link is first opened, and kept until set-up ends.</summary>
    public sealed class QueryHandler(UserManager<StaffUser> users, Db db, TimeProvider clock, IOptions<Mail.MailOptions> mail)
        : IRequestHandler<Query, View?>
    {
        public async Task<View?> Handle(Query q, CancellationToken ct)
        {
            long? id;
            await using (var conn = await db.OpenAsync(ct))
                id = await SetupLinks.FindAsync(conn, q.Token, clock.GetUtcNow());
            if (id is null) return null;
            var user = await users.FindByIdAsync(id.Value.ToString());
            if (user is null) return null;
            var twoFactor = user.TwoFactorEnabledAt is not null;
            if (!twoFactor && user.AuthenticatorKey is null)
            {
                var reset = await users.ResetAuthenticatorKeyAsync(user);
                if (!reset.Succeeded) throw new Conflict("The account was changed at the same time; open the link again.");
            }
            var key = twoFactor ? null : user.AuthenticatorKey;
            return new View(user.Id, user.Name, user.Email, user.Role, user.PasswordHash is null, user.RequiresTwoFactor, twoFactor,
                key is null ? null : FormatKey(key), key is null ? null : AuthenticatorUri(mail.Value.UnionName, user.Email, key));
        }
    }

    public sealed class Handler(UserManager<StaffUser> users, Db db, TimeProvider clock) : IRequestHandler<Command, Unit>
    {
        public async Task<Unit> Handle(Command cmd, CancellationToken ct)
        {
            var now = clock.GetUtcNow();
            long? id;
            await using (var conn = await db.OpenAsync(ct))
                id = await SetupLinks.FindAsync(conn, cmd.Token, now);
            var user = id is null ? null : await users.FindByIdAsync(id.Value.ToString());
            if (user is null) throw new NotFound("This set-up link is not valid: it may have been used already or have expired. Ask an executive for a new one.");

            var problems = new Problems();
            if (user.PasswordHash is null)
            {
                if (string.IsNullOrEmpty(cmd.Password)) problems.Add("password", "Enter a password.");
                else
                {
                    foreach (var v in users.PasswordValidators)
                    {
                        var r = await v.ValidateAsync(users, user, cmd.Password);
                        foreach (var e in r.Errors) problems.Add("password", Describe(e));
                    }
                    if (cmd.Password != cmd.ConfirmPassword) problems.Add("confirmPassword", "The two passwords are not the same.");
                }
            }
            var settingUp2fa = user.TwoFactorEnabledAt is null && (user.RequiresTwoFactor || !string.IsNullOrWhiteSpace(cmd.Code));
            if (settingUp2fa)
            {
                var code = (cmd.Code ?? "").Replace(" ", "").Replace("-", "");
                if (code.Length == 0) problems.Add("code", "Enter the 6-digit code your authenticator app shows.");
                else if (!await users.VerifyTwoFactorTokenAsync(user, users.Options.Tokens.AuthenticatorTokenProvider, code))
                    problems.Add("code", "The code is not right. Check the key was entered correctly and enter the code the app shows now.");
            }
            problems.ThrowIfAny();

            if (user.PasswordHash is null) Check(await users.AddPasswordAsync(user, cmd.Password!));
            if (settingUp2fa) Check(await users.SetTwoFactorEnabledAsync(user, true));
            var wasInvited = user.Status == AccountStatus.Invited;
            user.Status = user.Status == AccountStatus.Invited ? AccountStatus.Active : user.Status;
            Check(await users.UpdateSecurityStampAsync(user));

            await using var write = await db.OpenAsync(ct);
            await using var tx = await db.BeginWriteAsync(write, ct);
            var used = await write.ExecuteAsync("UPDATE staff_setup_link SET used_at = @now WHERE account_id = @Id AND used_at IS NULL", new { now, user.Id }, tx);
            var actor = new Actor(user.Id, user.Name);
            if (wasInvited) await AccountEvents.RecordAsync(write, tx, user.Id, actor, "set up", null, now);
            if (settingUp2fa) await AccountEvents.RecordAsync(write, tx, user.Id, actor, "authenticator set up", null, now);
            await tx.CommitAsync(ct);
            return Unit.Value;
        }

        private static string Describe(IdentityError e) => e.Code switch
        {
            "PasswordTooShort" => "Use at least 12 characters: a few words make a good password.",
            "PasswordRequiresUniqueChars" => "Use at least 4 different characters.",
            _ => e.Description,
        };

        private static void Check(IdentityResult r)
        {
            if (!r.Succeeded) throw new Conflict("The account was changed at the same time; open the link again.");
        }
    }

    /// <summary>Groups of four, as authenticator apps show keys; spaces are ignored when typed.</summary>
    public static string FormatKey(string key) =>
        string.Join(' ', Enumerable.Range(0, (key.Length + 3) / 4).Select(i => key.Substring(i * 4, Math.Min(4, key.Length - i * 4)))).ToLowerInvariant();

    /// <summary>The otpauth URI an app reads from a QR code (Key Uri Format, as Identity's own UI builds it).</summary>
    public static string AuthenticatorUri(string issuer, string email, string key) =>
        $"otpauth://totp/{Uri.EscapeDataString(issuer)}:{Uri.EscapeDataString(email)}?secret={key}&issuer={Uri.EscapeDataString(issuer)}&digits=6";
}
