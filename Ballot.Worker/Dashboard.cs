using System.Security.Claims;
using System.Text.Encodings.Web;
using Ballot.Core.Common;
using Ballot.Core.Staff;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Hangfire;
using Hangfire.Dashboard;
using MediatR;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Authentication.Cookies;

namespace Ballot.Worker;

/// <summary>
/// Hangfire's dashboard at /hangfire, in the worker because the in-memory job storage lives only here. Staff sign in
/// with their API token (the sign-in page sets a cookie for an hour), or send it as "Authorization: Bearer". Executives
/// may act (retry, delete, trigger); organisers only look; scrutineers and everyone else are refused.
/// See docs/decisions/0103-hangfire-dashboard-in-the-worker.md.
/// </summary>
internal static class Dashboard
{
    public const string Path = "/hangfire";
    private const string Scheme = CookieAuthenticationDefaults.AuthenticationScheme;

    public static void AddDashboardSignIn(this IServiceCollection services)
    {
        services.AddAuthentication(Scheme).AddCookie(Scheme, o =>
        {
            o.Cookie.Name = "ballot_worker";
            o.Cookie.HttpOnly = true;
            o.Cookie.SameSite = SameSiteMode.Strict;
            o.ExpireTimeSpan = TimeSpan.FromHours(1);
            o.SlidingExpiration = false;
            o.LoginPath = "/login";
        });
        services.AddAuthorization();
    }

    public static void MapDashboard(this WebApplication app)
    {
        app.UseAuthentication();
        // A bearer token works too (curl, scripts): checked on every request, so a revoked token stops at once.
        app.Use(async (http, next) =>
        {
            string? header = http.Request.Headers.Authorization;
            if (header is not null && header.StartsWith("Bearer ", StringComparison.OrdinalIgnoreCase))
            {
                var staff = await http.RequestServices.GetRequiredService<IMediator>().Send(new Authenticate.Query(header[7..].Trim()));
                http.User = staff is null ? new ClaimsPrincipal(new ClaimsIdentity()) : Principal(staff, "Bearer");
            }
            if (http.Request.Path.StartsWithSegments(Path) && http.User.Identity?.IsAuthenticated != true && header is null
                && HttpMethods.IsGet(http.Request.Method) && !http.Request.Path.StartsWithSegments(Path + "/stats"))
            {
                http.Response.Redirect("/login");
                return;
            }
            await next();
        });
        app.UseHangfireDashboard(Path, new DashboardOptions
        {
            DashboardTitle = "Ballot worker",
            AppPath = null,
            Authorization = [new StaffFilter()],
            IsReadOnlyFunc = ctx => !ctx.GetHttpContext().User.IsInRole(Roles.Executive),
        });
        app.MapGet("/", () => Results.Redirect(Path));
        app.MapGet("/login", (HttpContext http) => Page(http, null));
        app.MapPost("/login", SignIn);
        app.MapPost("/logout", async (HttpContext http) =>
        {
            await http.SignOutAsync(Scheme);
            return Results.Redirect("/login");
        });
    }

    private static ClaimsPrincipal Principal(Authenticate.StaffIdentity staff, string scheme) => new(new ClaimsIdentity(
        [new Claim(ClaimTypes.NameIdentifier, staff.Id.ToString()), new Claim(ClaimTypes.Name, staff.Name), new Claim(ClaimTypes.Role, staff.Role)],
        scheme));

    private static async Task<IResult> SignIn(HttpContext http, IMediator mediator)
    {
        var form = await http.Request.ReadFormAsync();
        var token = form["token"].ToString().Trim();
        var staff = token.Length == 0 ? null : await mediator.Send(new Authenticate.Query(token));
        if (staff is null) return Page(http, "That token is not valid or has been revoked.", 401);
        if (staff.Role is not (Roles.Executive or Roles.Organiser))
            return Page(http, $"Your role ({staff.Role}) may not see the worker's jobs.", 403);
        await http.SignInAsync(Scheme, Principal(staff, Scheme));
        return Results.Redirect(Path);
    }

    private static IResult Page(HttpContext http, string? error, int status = 200)
    {
        var message = error is null ? "" : $"<p role=\"alert\">{HtmlEncoder.Default.Encode(error)}</p>\n";
        return Results.Content(PageShell.Render("Ballot worker", "Sign in", "Sign in", $"""
            <p>Paste your staff token (executive or organiser). Executives can retry and delete jobs; organisers can look.</p>
            {message}<form method="post" action="/login"><p><label for="token">Staff token</label></p>
            <p><input id="token" name="token" type="password" autocomplete="off" required></p>
            <p><button type="submit">Sign in</button></p></form>
            """), "text/html; charset=utf-8", System.Text.Encoding.UTF8, status);
    }

    private sealed class StaffFilter : IDashboardAuthorizationFilter
    {
        public bool Authorize(DashboardContext context)
        {
            var user = context.GetHttpContext().User;
            return user.Identity?.IsAuthenticated == true && (user.IsInRole(Roles.Executive) || user.IsInRole(Roles.Organiser));
        }
    }
}
