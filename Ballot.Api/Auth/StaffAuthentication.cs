using System.Security.Claims;
using System.Text.Encodings.Web;
using Ballot.Core.Staff;
using MediatR;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Mvc;
using Microsoft.Extensions.Options;

namespace Ballot.Api.Auth;

public static class StaffAuthentication
{
    public const string Scheme = "StaffToken";

    /// <summary>The bearer scheme is the default, so the JSON API never reads the console's session cookie.</summary>
    public static AuthenticationBuilder AddStaffAuthentication(this WebApplicationBuilder builder)
    {
        var authentication = builder.Services.AddAuthentication(Scheme).AddScheme<AuthenticationSchemeOptions, Handler>(Scheme, null);
        builder.Services.AddAuthorization();
        return authentication;
    }

    /// <summary>"Authorization: Bearer blt_…": the token is hashed and looked up; revoked tokens fail.</summary>
    private sealed class Handler(IOptionsMonitor<AuthenticationSchemeOptions> options, ILoggerFactory logger, UrlEncoder encoder, IMediator mediator)
        : AuthenticationHandler<AuthenticationSchemeOptions>(options, logger, encoder)
    {
        protected override async Task<AuthenticateResult> HandleAuthenticateAsync()
        {
            string? header = Request.Headers.Authorization;
            if (string.IsNullOrEmpty(header)) return AuthenticateResult.NoResult();
            if (!header.StartsWith("Bearer ", StringComparison.OrdinalIgnoreCase))
                return AuthenticateResult.Fail("The Authorization header must be 'Bearer <token>'.");
            var token = header["Bearer ".Length..].Trim();
            var staff = await mediator.Send(new Authenticate.Query(token), Context.RequestAborted);
            if (staff is null) return AuthenticateResult.Fail("The token is not valid or has been revoked.");
            var identity = new ClaimsIdentity(
                [new Claim(ClaimTypes.NameIdentifier, staff.Id.ToString()), new Claim(ClaimTypes.Name, staff.Name), new Claim(ClaimTypes.Role, staff.Role)],
                StaffAuthentication.Scheme);
            return AuthenticateResult.Success(new AuthenticationTicket(new ClaimsPrincipal(identity), StaffAuthentication.Scheme));
        }

        protected override async Task HandleChallengeAsync(AuthenticationProperties properties)
        {
            var result = await HandleAuthenticateOnceSafeAsync();
            var detail = result.Failure?.Message ?? "This endpoint needs a staff token: send 'Authorization: Bearer <token>'.";
            Response.Headers.WWWAuthenticate = "Bearer";
            await Write(StatusCodes.Status401Unauthorized, "Unauthorized", detail);
        }

        protected override Task HandleForbiddenAsync(AuthenticationProperties properties) =>
            Write(StatusCodes.Status403Forbidden, "Forbidden", $"Your role ({Context.User.FindFirstValue(ClaimTypes.Role)}) may not do this.");

        private Task Write(int status, string title, string detail)
        {
            Response.StatusCode = status;
            var problems = Context.RequestServices.GetRequiredService<IProblemDetailsService>();
            return problems.WriteAsync(new ProblemDetailsContext
            {
                HttpContext = Context,
                ProblemDetails = new ProblemDetails { Status = status, Title = title, Detail = detail },
            }).AsTask();
        }
    }
}
