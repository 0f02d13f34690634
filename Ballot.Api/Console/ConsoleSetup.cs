using Ballot.Core.Staff.Accounts;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Authentication.Cookies;
using Microsoft.AspNetCore.Identity;
using Microsoft.Extensions.Options;

namespace Ballot.Api.StaffConsole;

/// <summary>The staff console: Razor Pages, the session cookie, Identity's sign-in, page policies (ADR 0500).</summary>
public static class ConsoleSetup
{
    public const string SessionCookie = "ballot.session";

    /// <summary>Paths that answer in JSON problem details; everything else is a page for people.</summary>
    public static bool IsApi(PathString path) =>
        path.StartsWithSegments("/api") || path.StartsWithSegments("/openapi") || path.StartsWithSegments("/docs/api") || path.StartsWithSegments("/health");

    public static void AddStaffConsole(this WebApplicationBuilder builder, AuthenticationBuilder authentication)
    {
        var services = builder.Services;
        services.AddRazorPages(o =>
        {
            o.Conventions.AuthorizeFolder("/", ConsolePolicies.Staff);
            o.Conventions.AllowAnonymousToPage("/Index");
            o.Conventions.AllowAnonymousToPage("/Error");
            o.Conventions.AllowAnonymousToFolder("/SignIn");
            o.Conventions.AllowAnonymousToPage("/SetUp");
        }).AddApplicationPart(typeof(ConsoleSetup).Assembly);
        services.AddAuthorization(ConsolePolicies.Add);
        services.AddScoped<StaffSignIn>();
        authentication.AddIdentityCookies();
        services.AddIdentityCore<StaffUser>().AddSignInManager<StaffSignInManager>().AddClaimsPrincipalFactory<StaffClaimsFactory>();
        services.AddOptions<CookieAuthenticationOptions>(IdentityConstants.ApplicationScheme).Configure<IOptions<StaffAccountOptions>>((o, staff) =>
        {
            o.Cookie.Name = SessionCookie;
            o.Cookie.HttpOnly = true;
            o.Cookie.SameSite = SameSiteMode.Lax;
            o.Cookie.SecurePolicy = CookieSecurePolicy.SameAsRequest;
            o.ExpireTimeSpan = TimeSpan.FromMinutes(staff.Value.IdleTimeoutMinutes);
            o.SlidingExpiration = true;
            o.LoginPath = "/";
            o.LogoutPath = "/sign-out";
            o.ReturnUrlParameter = "returnUrl";
            o.Events.OnValidatePrincipal = CheckAccountOnEveryRequest;
            // A page the role may not open answers 403 with the error page, rather than a redirect.
            o.Events.OnRedirectToAccessDenied = ctx =>
            {
                ctx.Response.StatusCode = StatusCodes.Status403Forbidden;
                return Task.CompletedTask;
            };
        });
        services.AddOptions<CookieAuthenticationOptions>(IdentityConstants.TwoFactorUserIdScheme).Configure(o =>
        {
            o.Cookie.Name = "ballot.two-factor";
            o.Cookie.SameSite = SameSiteMode.Lax;
            o.Cookie.SecurePolicy = CookieSecurePolicy.SameAsRequest;
        });
        services.AddAntiforgery(o =>
        {
            o.Cookie.Name = "ballot.antiforgery";
            o.Cookie.SecurePolicy = CookieSecurePolicy.SameAsRequest;
            o.FormFieldName = "__RequestVerificationToken";
        });
    }

    /// <summary>
    /// Every request re-reads the account (one primary-key read): a changed security stamp (disabled, authenticator
    /// reset) or a status other than active ends the session at once, and a new role applies at once. Identity's own
    /// SecurityStampValidator checks only after an interval, measured from a cookie time kept to the second.
    /// </summary>
    private static async Task CheckAccountOnEveryRequest(CookieValidatePrincipalContext ctx)
    {
        var signIn = ctx.HttpContext.RequestServices.GetRequiredService<StaffSignInManager>();
        var user = await signIn.ValidateSecurityStampAsync(ctx.Principal);
        if (user is null)
        {
            ctx.RejectPrincipal();
            await ctx.HttpContext.SignOutAsync(IdentityConstants.ApplicationScheme);
            return;
        }
        ctx.ReplacePrincipal(await signIn.CreateUserPrincipalAsync(user));
    }

    public static void UseStaffConsole(this WebApplication app)
    {
        app.UseStaticFiles();
        // Pages see who is signed in by the session cookie only; the JSON API keeps the bearer token as its only scheme.
        app.Use(async (ctx, next) =>
        {
            if (!IsApi(ctx.Request.Path))
            {
                var session = await ctx.AuthenticateAsync(IdentityConstants.ApplicationScheme);
                ctx.User = session.Succeeded ? session.Principal : new System.Security.Claims.ClaimsPrincipal(new System.Security.Claims.ClaimsIdentity());
            }
            await next();
        });
    }
}
