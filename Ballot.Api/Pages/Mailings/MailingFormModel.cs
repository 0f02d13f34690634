using Ballot.Api.StaffConsole;
using Ballot.Core.Mail;
using Ballot.Core.Members;
using MediatR;
using Microsoft.AspNetCore.Mvc;

namespace Ballot.Api.Pages.Mailings;

/// <summary>
/// The compose form shared by New and Edit: subject, Markdown body, reply-to and the audience picker. The "Count"
/// button (and, with script, wwwroot/js/audience-count.js through ?handler=count) asks Core how many members it reaches.
/// </summary>
public abstract class MailingFormModel(IMediator mediator) : ConsolePageModel
{
    protected IMediator Mediator { get; } = mediator;

    [BindProperty(Name = "subject")] public string? Subject { get; set; }
    [BindProperty(Name = "bodyMarkdown")] public string? BodyMarkdown { get; set; }
    [BindProperty(Name = "replyTo")] public string? ReplyTo { get; set; }
    [BindProperty(Name = "categories", SupportsGet = true)] public string[] Categories { get; set; } = [];
    [BindProperty(Name = "regions", SupportsGet = true)] public string[] Regions { get; set; } = [];
    [BindProperty(Name = "employers", SupportsGet = true)] public string? Employers { get; set; }

    public RegisterChoices.View Choices { get; private set; } = new([], []);
    public long? AudienceCount { get; private set; }

    public Audience Audience => new(
        Regions: Regions.Length == 0 ? null : Regions,
        Employers: SplitList(Employers) is { Length: > 0 } e ? e : null,
        Categories: Categories.Length == 0 ? null : Categories);

    public void Fill(MailingView m)
    {
        Subject = m.Subject;
        BodyMarkdown = m.BodyMarkdown;
        ReplyTo = m.ReplyTo;
        Categories = m.Audience.Categories ?? [];
        Regions = m.Audience.Regions ?? [];
        Employers = string.Join(", ", m.Audience.Employers ?? []);
    }

    protected async Task LoadChoices() => Choices = await Mediator.Send(new RegisterChoices.Query(), HttpContext.RequestAborted);

    /// <summary>The "Count" button: the form comes back as typed, with the audience's size.</summary>
    public async Task<IActionResult> OnPostCountAsync()
    {
        ModelState.Clear();
        await LoadChoices();
        (_, AudienceCount) = await TrySend(Mediator, new CountAudience.Query(Audience));
        return Page();
    }

    /// <summary>For the script: the audience's size as JSON, without saving anything.</summary>
    public async Task<IActionResult> OnGetCountAsync()
    {
        var (ok, count) = await TrySend(Mediator, new CountAudience.Query(Audience));
        return ok ? new JsonResult(new { count, text = CountText(count) }) : BadRequest();
    }

    public static string CountText(long count) => count == 1 ? "1 member" : $"{count:N0} members";

    private static string[] SplitList(string? s) =>
        (s ?? "").Split([',', '\n'], StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
}
