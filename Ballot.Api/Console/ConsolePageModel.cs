using Ballot.Core.Common;
using MediatR;
using Microsoft.AspNetCore.Mvc.RazorPages;

namespace Ballot.Api.StaffConsole;

/// <summary>
/// A console page sends the same MediatR request as the JSON API. <see cref="TrySend{T}"/> turns the failures a user
/// can fix (validation, conflicts) into the error summary and field messages; anything else goes to the error page.
/// </summary>
public abstract class ConsolePageModel : PageModel
{
    protected async Task<(bool Ok, T? Result)> TrySend<T>(IMediator mediator, IRequest<T> request)
    {
        try
        {
            return (true, await mediator.Send(request, HttpContext.RequestAborted));
        }
        catch (ValidationFailed v)
        {
            foreach (var (field, messages) in v.Errors)
            foreach (var m in messages) ModelState.AddModelError(field, m);
            return (false, default);
        }
        catch (Conflict c)
        {
            ModelState.AddModelError("", c.Message);
            return (false, default);
        }
        catch (InputRejected r)
        {
            ModelState.AddModelError("", r.Message);
            return (false, default);
        }
    }

    /// <summary>A one-line confirmation the layout shows at the top of the next page (after a redirect).</summary>
    protected void Tell(string notice) => TempData["Notice"] = notice;
}
