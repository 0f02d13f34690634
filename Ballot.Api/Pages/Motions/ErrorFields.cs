using Microsoft.AspNetCore.Mvc.ModelBinding;

namespace Ballot.Api.Pages;

internal static class ErrorFields
{
    /// <summary>
    /// Moves a request field's messages to the form field that stands for it (e.g. the import's "text" to the pasted
    /// "body"), so the error summary links to an input on the page and each message shows once.
    /// </summary>
    public static void Move(this ModelStateDictionary state, string from, string to)
    {
        if (!state.TryGetValue(from, out var entry) || entry.Errors.Count == 0) return;
        var messages = entry.Errors.Select(e => e.ErrorMessage).ToList();
        state.Remove(from);
        foreach (var m in messages) state.AddModelError(to, m);
    }
}
