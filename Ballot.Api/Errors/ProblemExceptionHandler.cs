using System.Text.Json;
using Ballot.Core.Common;
using Microsoft.AspNetCore.Diagnostics;
using Microsoft.AspNetCore.Mvc;

namespace Ballot.Api.Errors;

/// <summary>415 for a body in the wrong format.</summary>
public sealed class UnsupportedMediaType(string message) : Exception(message);

/// <summary>The one place failures become RFC 9457 problem details. Nothing here echoes a stack trace.</summary>
internal sealed partial class ProblemExceptionHandler(IProblemDetailsService problems, ILogger<ProblemExceptionHandler> log) : IExceptionHandler
{
    public async ValueTask<bool> TryHandleAsync(HttpContext http, Exception exception, CancellationToken ct)
    {
        // A console page's failure is shown by the error page (ExceptionHandlingPath), not as JSON.
        if (http.Features.Get<IExceptionHandlerFeature>()?.Endpoint?.Metadata.GetMetadata<Microsoft.AspNetCore.Mvc.RazorPages.PageActionDescriptor>() is not null)
            return false;
        ProblemDetails problem = exception switch
        {
            ValidationFailed v => new HttpValidationProblemDetails(v.Errors.ToDictionary(kv => kv.Key, kv => kv.Value))
            {
                Status = 400, Title = "The request is not valid.", Detail = v.Message,
            },
            InputRejected r => Extend(new ProblemDetails { Status = 400, Title = "The input was rejected.", Detail = r.Message },
                "problems", r.Problems),
            NotFound n => new ProblemDetails { Status = 404, Title = "Not found.", Detail = n.Message },
            Conflict c => new ProblemDetails { Status = 409, Title = "Conflict with the current state.", Detail = c.Message },
            Forbidden f => new ProblemDetails { Status = 403, Title = "Forbidden.", Detail = f.Message },
            // A key-ceremony or count message that fails its cryptographic check: the sender's fault, named.
            Ballot.Core.Sealing.SealingException s => Extend(new ProblemDetails { Status = 422, Title = "A trustee's message failed its check.", Detail = s.Message },
                "trustee", s.Trustee!),
            UnsupportedMediaType u => new ProblemDetails { Status = 415, Title = "Unsupported media type.", Detail = u.Message },
            Microsoft.Data.Sqlite.SqliteException { SqliteErrorCode: 19 } or Npgsql.PostgresException { SqlState: "23505" or "23503" or "23514" }
                => new ProblemDetails { Status = 409, Title = "Conflict with the current state.", Detail = "The change conflicts with data saved at the same time; reload and try again." },
            Microsoft.Data.Sqlite.SqliteException { SqliteErrorCode: 5 or 6 } or Npgsql.PostgresException { SqlState: "40001" or "40P01" or "55P03" }
                => new ProblemDetails { Status = 503, Title = "The database is busy.", Detail = "Another change holds the database; retry in a moment." },
            // Text PostgreSQL cannot store (a NUL that came by a way no check covers, e.g. inside a CSV cell).
            Npgsql.PostgresException { SqlState: "22021" or "22P05" }
                => new ProblemDetails { Status = 400, Title = "The request could not be read.", Detail = NoNulStrings.Message },
            InvalidDataException d => new ProblemDetails { Status = 400, Title = "The request could not be read.", Detail = d.Message },
            BadHttpRequestException b => new ProblemDetails { Status = b.StatusCode, Title = "The request could not be read.", Detail = Describe(b) },
            _ => new ProblemDetails { Status = 500, Title = "An unexpected error occurred.", Detail = "The error has been logged; quote the traceId when you report it." },
        };
        if (problem.Status == 500)
            log.LogError(exception, "Unhandled failure on {Method} {Route}", http.Request.Method, (http.Features.Get<IExceptionHandlerFeature>()?.Endpoint as RouteEndpoint)?.RoutePattern.RawText);
        http.Response.StatusCode = problem.Status!.Value;
        return await problems.TryWriteAsync(new ProblemDetailsContext { HttpContext = http, ProblemDetails = problem, Exception = exception });
    }

    private static ProblemDetails Extend(ProblemDetails p, string key, object value)
    {
        p.Extensions[key] = value;
        return p;
    }

    [System.Text.RegularExpressions.GeneratedRegex(@" (contained in|to) type '[^']*'")]
    private static partial System.Text.RegularExpressions.Regex TypeNames();

    /// <summary>Says which part of the body is wrong (the JSON path and position) without internals.</summary>
    private static string Describe(BadHttpRequestException b) => b.InnerException switch
    {
        JsonException j => "The JSON body is not valid: " + TypeNames().Replace(j.Message, ""),
        _ => b.Message,
    };
}
