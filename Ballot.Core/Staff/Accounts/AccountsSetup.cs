using System.ComponentModel.DataAnnotations;
using Microsoft.AspNetCore.Identity;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;

namespace Ballot.Core.Staff.Accounts;

/// <summary>Bound from "Staff": how long set-up links last, when an account locks, when an idle session ends.</summary>
public sealed class StaffAccountOptions
{
    public const string Section = "Staff";

    [Range(1, 24 * 30)]
    public int SetupLinkHours { get; set; } = 72;

    [Range(1, 100)]
    public int MaxFailedAttempts { get; set; } = 5;

    [Range(1, 24 * 60)]
    public int LockoutMinutes { get; set; } = 15;

    [Range(1, 24 * 60)]
    public int IdleTimeoutMinutes { get; set; } = 30;
}

public static class AccountsSetup
{
    /// <summary>
    /// Identity's UserManager, password hasher, lockout and authenticator (TOTP) over our own store. The sign-in half
    /// (SignInManager, cookies) is HTTP and lives in Ballot.Api.
    /// </summary>
    public static IHostApplicationBuilder AddStaffAccounts(this IHostApplicationBuilder builder)
    {
        var services = builder.Services;
        services.AddOptions<StaffAccountOptions>().Bind(builder.Configuration.GetSection(StaffAccountOptions.Section))
            .ValidateDataAnnotations().ValidateOnStart();
        services.AddScoped<StaffUserStore>();
        services.AddSingleton<StaffLetters>();
        services.AddIdentityCore<StaffUser>()
            .AddUserStore<StaffUserStore>()
            .AddTokenProvider<AuthenticatorTokenProvider<StaffUser>>(TokenOptions.DefaultAuthenticatorProvider);
        services.AddOptions<IdentityOptions>().Configure<IOptions<StaffAccountOptions>>((o, staff) =>
        {
            o.User.RequireUniqueEmail = true;
            o.User.AllowedUserNameCharacters = "";
            // Length over composition rules (NIST SP 800-63B 3.1.1.2): a long passphrase beats "Passw0rd!".
            o.Password.RequiredLength = 12;
            o.Password.RequireDigit = o.Password.RequireLowercase = o.Password.RequireUppercase = o.Password.RequireNonAlphanumeric = false;
            o.Password.RequiredUniqueChars = 4;
            o.Lockout.AllowedForNewUsers = true;
            o.Lockout.MaxFailedAccessAttempts = staff.Value.MaxFailedAttempts;
            o.Lockout.DefaultLockoutTimeSpan = TimeSpan.FromMinutes(staff.Value.LockoutMinutes);
            o.SignIn.RequireConfirmedAccount = false;
        });
        return builder;
    }
}
