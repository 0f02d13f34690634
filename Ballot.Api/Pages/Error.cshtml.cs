using Ballot.Core.Common;
using Microsoft.AspNetCore.Diagnostics;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;

namespace Ballot.Api.Pages;

/// <summary>
/// Every error a page can meet, said for people: status codes re-executed here (404, 403, a form without its
/// antiforgery token) and exceptions (ExceptionHandlingPath). Never a stack trace.
/// </summary>
[IgnoreAntiforgeryToken]
public sealed class ErrorModel(ILogger<ErrorModel> log) : PageModel
{
    public int Status { get; private set; }
    public string Heading { get; private set; } = "";
    public string Message { get; private set; } = "";
    public string? TraceId { get; private set; }

    public void OnGet(int? code) => Describe(code);
    public void OnPost(int? code) => Describe(code);

    private void Describe(int? code)
    {
        var failure = HttpContext.Features.Get<IExceptionHandlerPathFeature>()?.Error;
        (Status, Heading, Message) = failure switch
        {
            NotFound n => (404, "Not found", n.Message),
            Forbidden f => (403, "You do not have access to this page", f.Message),
            Conflict c => (409, "That cannot be done now", c.Message),
            ValidationFailed or InputRejected => (400, "That could not be done", failure.Message),
            null => Explain(code ?? (Response.StatusCode >= 400 ? Response.StatusCode : 404)),
            _ => (500, "Sorry, something went wrong", "The error has been recorded. Try again; if it happens again, tell whoever runs this service."),
        };
        if (Status == 500)
        {
            TraceId = HttpContext.TraceIdentifier;
            if (failure is not null) log.LogError(failure, "Unhandled failure on a console page {Path}", HttpContext.Features.Get<IExceptionHandlerPathFeature>()?.Path);
        }
        Response.StatusCode = Status;
    }

    private static (int, string, string) Explain(int code) => code switch
    {
        400 => (400, "The form could not be sent",
            "The page may have been open too long, or the form did not come from this site. Go back, reload the page and try again."),
        403 => (403, "You do not have access to this page", "Your role does not include this page."),
        404 => (404, "Page not found", "Check the address, or start again from the home page."),
        405 => (405, "That cannot be done here", "This address does not take that kind of request."),
        413 => (413, "The file is too large", "Send a smaller file."),
        429 => (429, "Too many attempts", "Wait a few minutes and try again."),
        >= 500 => (code, "Sorry, something went wrong", "Try again in a moment; if it happens again, tell whoever runs this service."),
        _ => (code, "That could not be done", "Go back and try again."),
    };
}
