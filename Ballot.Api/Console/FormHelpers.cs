using Microsoft.AspNetCore.Html;
using Microsoft.AspNetCore.Mvc.Rendering;
using static System.Net.WebUtility;

namespace Ballot.Api.StaffConsole;

/// <summary>
/// The GOV.UK error pattern: a summary at the top (the _ErrorSummary partial) linking to each field, and beside each
/// field its message, tied to the input by aria-describedby. A field's name and id are the request's field name
/// ("email"), so a <see cref="Ballot.Core.Common.ValidationFailed"/> lands beside the right input.
/// </summary>
public static class FormHelpers
{
    public static bool HasError(this IHtmlHelper html, string field) =>
        html.ViewData.ModelState.TryGetValue(field, out var entry) && entry.Errors.Count > 0;

    /// <summary>The message paragraph, or nothing.</summary>
    public static IHtmlContent FieldError(this IHtmlHelper html, string field)
    {
        if (!html.ViewData.ModelState.TryGetValue(field, out var entry) || entry.Errors.Count == 0) return HtmlString.Empty;
        var text = string.Join(" ", entry.Errors.Select(e => e.ErrorMessage));
        return new HtmlString($"""<p class="field-error" id="{HtmlEncode(field)}-error"><span class="visually-hidden">Error:</span> {HtmlEncode(text)}</p>""");
    }

    /// <summary>Attributes for the input: aria-invalid and aria-describedby when it has an error, plus any hint.</summary>
    public static IHtmlContent FieldAttributes(this IHtmlHelper html, string field, string? hintId = null)
    {
        var described = new List<string>();
        if (hintId is not null) described.Add(hintId);
        var invalid = html.HasError(field);
        if (invalid) described.Add(field + "-error");
        var attrs = $"""id="{HtmlEncode(field)}" name="{HtmlEncode(field)}" """;
        if (described.Count > 0) attrs += $"""aria-describedby="{HtmlEncode(string.Join(' ', described))}" """;
        if (invalid) attrs += """aria-invalid="true" class="invalid" """;
        return new HtmlString(attrs.TrimEnd());
    }

    /// <summary>"form-group" plus "has-error" when the field has one (a red bar beside the group).</summary>
    public static string GroupClass(this IHtmlHelper html, string field) => html.HasError(field) ? "form-group has-error" : "form-group";
}
