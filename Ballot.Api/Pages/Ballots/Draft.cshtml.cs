using Ballot.Api.StaffConsole;
using Ballot.Core.Ballots;
using Ballot.Core.Common;
using MediatR;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Mvc;

namespace Ballot.Api.Pages.Ballots;

/// <summary>
/// A new ballot or a draft being edited. The form follows the kind; "Update the count" shows who the filters select and
/// the warnings without saving; saving sends CreateBallot or UpdateBallot, as the JSON API does.
/// </summary>
[Authorize(Policy = ConsolePolicies.Executive)]
public sealed class DraftModel(IMediator mediator, UnionTime time, TimeProvider clock) : ConsolePageModel
{
    public sealed class QuestionForm
    {
        public string? Id { get; set; }
        public string? Text { get; set; }
        public string? Options { get; set; }
    }

    [FromRoute(Name = "id")] public long? Id { get; set; }
    [BindProperty(SupportsGet = true, Name = "kind")] public string? Kind { get; set; }
    [BindProperty(Name = "title")] public string? Title { get; set; }
    [BindProperty(Name = "counting")] public string? Counting { get; set; }
    [BindProperty(Name = "votingMethod")] public string? VotingMethod { get; set; }
    [BindProperty(Name = "opensAt")] public string? OpensAt { get; set; }
    [BindProperty(Name = "closesAt")] public string? ClosesAt { get; set; }
    [BindProperty(Name = "reminderDaysBeforeClose")] public string? Reminders { get; set; }
    [BindProperty(Name = "electorate.regions")] public string? Regions { get; set; }
    [BindProperty(Name = "electorate.employers")] public string? Employers { get; set; }
    [BindProperty(Name = "electorate.workplaceIds")] public string? WorkplaceIds { get; set; }
    [BindProperty(Name = "electorate.categories")] public string? Categories { get; set; }
    [BindProperty(Name = "electorate.includeLapsed")] public bool IncludeLapsed { get; set; }
    [BindProperty(Name = "industrialAction.strike")] public bool Strike { get; set; }
    [BindProperty(Name = "industrialAction.actionShortOfStrike")] public bool ActionShortOfStrike { get; set; }
    [BindProperty(Name = "industrialAction.scrutineerName")] public string? ScrutineerName { get; set; }
    [BindProperty(Name = "industrialAction.scrutineerAddress")] public string? ScrutineerAddress { get; set; }
    [BindProperty(Name = "industrialAction.importantPublicService")] public bool ImportantPublicService { get; set; }
    [BindProperty(Name = "industrialAction.whoMayCallAction")] public string? WhoMayCallAction { get; set; }
    [BindProperty(Name = "industrialAction.mattersInIssue")] public string? MattersInIssue { get; set; }
    [BindProperty(Name = "industrialAction.actionShortOfStrikeTypes")] public string? ActionShortOfStrikeTypes { get; set; }
    [BindProperty(Name = "industrialAction.periods")] public string? Periods { get; set; }
    [BindProperty(Name = "questions")] public List<QuestionForm> Questions { get; set; } = [];

    public bool IsIndustrialAction => Kind != "consultative";
    public PreviewElectorate.View? Preview { get; private set; }

    public async Task<IActionResult> OnGetAsync()
    {
        if (Id is { } id)
        {
            var b = await mediator.Send(new GetBallot.Query(id), HttpContext.RequestAborted);
            if (b.Status != "draft") return Redirect($"/ballots/{id}");
            Fill(b);
        }
        else
        {
            Kind = Kind == "consultative" ? "consultative" : "industrial-action";
            Counting = "aggregated";
            Strike = false;
            ActionShortOfStrike = true;
            ImportantPublicService = true;
            Reminders = "7, 2";
        }
        await LoadPreview();
        return Page();
    }

    public async Task<IActionResult> OnPostAsync()
    {
        var input = Input();
        if (!ModelState.IsValid)
        {
            await LoadPreview();
            return Page();
        }
        var (ok, view) = Id is { } id
            ? await TrySend(mediator, new UpdateBallot.Command(id, input, User.BallotActor()))
            : await TrySend(mediator, new CreateBallot.Command(input, User.BallotActor()));
        if (!ok)
        {
            await LoadPreview();
            return Page();
        }
        Tell("Draft saved.");
        return Redirect($"/ballots/{view!.Id}");
    }

    /// <summary>Shows the count and warnings for the filters as typed, without saving (the page works without script).</summary>
    public async Task<IActionResult> OnPostPreviewAsync()
    {
        await LoadPreview();
        return Page();
    }

    public async Task<IActionResult> OnPostAddQuestionAsync()
    {
        Questions.Add(new QuestionForm());
        await LoadPreview();
        return Page();
    }

    private BallotInput Input()
    {
        var ia = IsIndustrialAction;
        var reminders = new List<int>();
        foreach (var r in BallotForms.List(Reminders) ?? [])
            if (int.TryParse(r, out var d)) reminders.Add(d);
            else ModelState.AddModelError("reminderDaysBeforeClose", $"'{r}' is not a number of days.");
        var workplaces = new List<long>();
        foreach (var w in BallotForms.List(WorkplaceIds) ?? [])
            if (long.TryParse(w, out var n)) workplaces.Add(n);
            else ModelState.AddModelError("electorate.workplaceIds", $"'{w}' is not a workplace number.");
        return new BallotInput(Title, ia ? BallotKind.IndustrialAction : BallotKind.Consultative,
            Counting switch { "per-workplace" => Core.Ballots.Counting.PerWorkplace, "aggregated" => Core.Ballots.Counting.Aggregated, _ => null },
            BallotForms.FromLocal(time, OpensAt), BallotForms.FromLocal(time, ClosesAt),
            Electorate(workplaces), reminders,
            ia ? new IndustrialAction(Strike, ActionShortOfStrike, ScrutineerName, ScrutineerAddress, ImportantPublicService, WhoMayCallAction,
                MattersInIssue, ActionShortOfStrikeTypes, Periods) : null,
            ia ? null : Questions.Where(q => !string.IsNullOrWhiteSpace(q.Text) || !string.IsNullOrWhiteSpace(q.Options))
                .Select(q => new QuestionInput(q.Id, q.Text, (q.Options ?? "").Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)))
                .ToList(),
            VotingMethod is "postal" or "electronic" or "hybrid" ? VotingMethods.Parse(VotingMethod) : null);
    }

    private Electorate Electorate(IReadOnlyList<long>? workplaces = null) =>
        new(BallotForms.List(Regions), BallotForms.List(Employers), workplaces is { Count: > 0 } ? workplaces : null, BallotForms.List(Categories), !IncludeLapsed);

    private async Task LoadPreview()
    {
        if (IsIndustrialAction) Questions = [];
        else if (Questions.Count == 0 || Questions.All(q => !string.IsNullOrWhiteSpace(q.Text))) Questions.Add(new QuestionForm());
        var workplaces = (BallotForms.List(WorkplaceIds) ?? []).Select(w => long.TryParse(w, out var n) ? n : -1).Where(n => n > 0).ToList();
        var opens = BallotForms.FromLocal(time, OpensAt) ?? clock.GetUtcNow();
        try
        {
            Preview = await mediator.Send(new PreviewElectorate.Query(Electorate(workplaces), IsIndustrialAction ? BallotKind.IndustrialAction : BallotKind.Consultative,
                Counting == "per-workplace" ? Core.Ballots.Counting.PerWorkplace : Core.Ballots.Counting.Aggregated, opens, ScrutineerName), HttpContext.RequestAborted);
        }
        catch (Conflict c)
        {
            ModelState.AddModelError("", c.Message);
        }
    }

    private void Fill(BallotView b)
    {
        Kind = b.Kind;
        Title = b.Title;
        Counting = b.Counting;
        VotingMethod = b.VotingMethod;
        OpensAt = BallotForms.ToLocal(time, b.OpensAt);
        ClosesAt = BallotForms.ToLocal(time, b.ClosesAt);
        Reminders = string.Join(", ", b.ReminderDaysBeforeClose);
        Regions = BallotForms.Text(b.Electorate.Regions);
        Employers = BallotForms.Text(b.Electorate.Employers);
        WorkplaceIds = BallotForms.Text(b.Electorate.WorkplaceIds?.Select(w => w.ToString(System.Globalization.CultureInfo.InvariantCulture)));
        Categories = BallotForms.Text(b.Electorate.Categories);
        IncludeLapsed = !b.Electorate.ActiveOnly;
        if (b.IndustrialAction is { } ia)
        {
            (Strike, ActionShortOfStrike, ScrutineerName, ScrutineerAddress) = (ia.Strike, ia.ActionShortOfStrike, ia.ScrutineerName, ia.ScrutineerAddress);
            (ImportantPublicService, WhoMayCallAction, MattersInIssue) = (ia.ImportantPublicService, ia.WhoMayCallAction, ia.MattersInIssue);
            (ActionShortOfStrikeTypes, Periods) = (ia.ActionShortOfStrikeTypes, ia.Periods);
        }
        else Questions = b.Questions.Select(q => new QuestionForm { Id = q.Id, Text = q.Text, Options = string.Join("\n", q.Options) }).ToList();
    }
}
