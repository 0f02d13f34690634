using System.Globalization;
using Ballot.Core.Common;
using Ballot.Core.Data;
using Ballot.Core.Leaflets.Composition;
using Dapper;
using MediatR;

namespace Ballot.Core.Motions;

/// <summary>
/// A conference's decisions as one PDF, drawn by the leaflet renderer's composition API: each motion in order, its
/// result and the vote, its amendments, the motion as carried (or as it stood), and its instructions to the Executive
/// with their due dates and what carries them out. Text is real, selectable text.
/// </summary>
public static class ExportDecisions
{
    public sealed record Query(long ConferenceId) : IRequest<Result>;

    public sealed record Result(byte[] Pdf, int Pages, string FileName);

    private static readonly CultureInfo En = CultureInfo.GetCultureInfo("en-GB");

    public sealed class Handler(Db db, IMediator mediator) : IRequestHandler<Query, Result>
    {
        public async Task<Result> Handle(Query q, CancellationToken ct)
        {
            var conference = await mediator.Send(new GetConference.Query(q.ConferenceId), ct);
            List<long> ids;
            await using (var conn = await db.OpenAsync(ct))
                ids = (await conn.QueryAsync<long>("SELECT id FROM motion WHERE conference_id = @ConferenceId ORDER BY number", new { q.ConferenceId })).AsList();
            var motions = new List<MotionView>();
            foreach (var id in ids) motions.Add(await mediator.Send(new GetMotion.Query(id), ct));

            var doc = Compose(conference, motions);
            try
            {
                var pdf = doc.Render();
                return new Result(pdf.Bytes, pdf.Pages, $"conference-{conference.Id}-decisions.pdf");
            }
            catch (LayoutException e)
            {
                throw ValidationFailed.For(e.Part ?? "motions", e.Message);
            }
        }
    }

    internal static PrintDocument Compose(ConferenceView c, IReadOnlyList<MotionView> motions)
    {
        var accent = new Colour(0x8b, 0x1a, 0x1a);
        var doc = new PrintDocument(PageSize.A4, new DocumentInfo($"{c.Name}: decisions", "The Executive", "en", $"Motions of {c.Name}, {c.Place}", "conference, motions, decisions"))
        {
            Accent = accent,
            FooterText = $"{c.Name}, {c.Place}, {Dates(c.StartsOn, c.EndsOn)}: decisions of conference and the instructions they give the Executive.",
            MaxPages = 2000,
        };
        doc.Add(new Heading(1, $"{c.Name}: decisions") { Part = "conference" });
        doc.Add(new Paragraph([new Span($"{c.Place}, {Dates(c.StartsOn, c.EndsOn)}. ", Bold: true),
            new Span($"{motions.Count} motion{(motions.Count == 1 ? "" : "s")}: {Tally(motions)}.")], TextRole.Lead) { Part = "conference" });
        if (motions.Count == 0) doc.Add(new Paragraph("No motions have been recorded for this conference.") { Part = "conference" });

        foreach (var m in motions)
        {
            var part = $"motion {m.Number}";
            doc.Add(new Heading(2, $"Motion {m.Number}: {m.Title}") { Part = part });
            var who = new List<string>();
            if (m.Proposer is { } p) who.Add($"Proposed by {p.Name} ({p.Kind})");
            if (m.Seconder is { } s) who.Add($"seconded by {s.Name} ({s.Kind})");
            if (m.Topic is not null) who.Add($"topic: {m.Topic}");
            if (who.Count > 0) doc.Add(new Paragraph(string.Join("; ", who) + ".", TextRole.Small) { Part = part });
            doc.Add(new Paragraph([new Span("Result: ", Bold: true), new Span(ResultLine(m))]) { Colour = accent, Part = part });

            if (m.Amendments.Count > 0)
            {
                doc.Add(new Heading(3, "Amendments") { Part = part + " amendments" });
                doc.Add(new ListBlock(true, m.Amendments.Select(a => (IReadOnlyList<Span>)
                [
                    new Span($"{a.Mover.Name} ({a.Mover.Kind}): "), new Span(a.Instruction, Italic: true),
                    new Span($" {Capital(a.Status)}{(a.Vote is { } v ? ", " + VoteLine(v) : "")}.", Bold: true),
                ]).ToList()) { Part = part + " amendments" });
            }

            var decided = m.Status is MotionStatus.Carried or MotionStatus.Lost;
            doc.Add(new Heading(3, m.Amendments.Any(a => a.Status == AmendmentStatus.Carried)
                ? (decided ? "The motion as amended" : "The motion as amended so far")
                : "The motion") { Part = part + " text" });
            foreach (var paragraph in Paragraphs(m.Text))
                doc.Add(new Paragraph(paragraph) { Part = part + " text" });

            if (m.Status == MotionStatus.Carried)
            {
                doc.Add(new Heading(3, "Instructions to the Executive") { Part = part + " instructions" });
                if (m.ActionItems.Count == 0) doc.Add(new Paragraph("The motion gives the Executive no numbered instructions.", TextRole.Small) { Part = part + " instructions" });
                else doc.Add(new ListBlock(true, m.ActionItems.Select(i => (IReadOnlyList<Span>)[new Span(i.Text), new Span("\n" + Follow(i), Italic: true)]).ToList())
                    { Part = part + " instructions" });
            }
        }
        return doc;
    }

    private static string Tally(IReadOnlyList<MotionView> motions) =>
        string.Join(", ", MotionStatus.All.Select(s => (s, n: motions.Count(m => m.Status == s))).Where(x => x.n > 0).Select(x => $"{x.n} {x.s}"))
        is { Length: > 0 } t ? t : "none yet";

    internal static string ResultLine(MotionView m) => m.Status switch
    {
        MotionStatus.Carried or MotionStatus.Lost when m.Decision is { } v =>
            $"{Capital(m.Status)}, {VoteLine(v)}{(m.NeedsTwoThirds ? " (a two-thirds majority was required)" : "")}.",
        MotionStatus.Remitted => "Remitted to the Executive.",
        MotionStatus.Withdrawn => "Withdrawn.",
        _ => $"Not yet decided (the motion is {m.Status}).",
    };

    private static string VoteLine(VoteView v) => v.Method == VoteCount.Card
        ? $"on a card vote: {N(v.For)} for, {N(v.Against)} against, {N(v.Abstain)} abstaining"
        : "on a show of hands";

    private static string Follow(InstructionView i)
    {
        var parts = new List<string>
        {
            i.DueOn is { } d
                ? $"Due {(i.DueTerm is not null ? $"by the end of the {i.DueTerm} term {i.DueYear} " : "")}({d.ToString("d MMMM yyyy", En)})"
                : "No due date",
        };
        parts.Add(i.Progress switch { InstructionProgress.Done => "done", InstructionProgress.InProgress => "in progress", _ => "not started" });
        if (i.Assignee is not null) parts.Add($"assigned to {i.Assignee}");
        if (i.Links.Count > 0) parts.Add("carried out by " + string.Join(", ", i.Links.Select(l => $"{l.Kind} {l.Id}")));
        return string.Join("; ", parts) + ".";
    }

    /// <summary>The text split at blank lines; each paragraph keeps its own words, line breaks and spacing.</summary>
    private static IEnumerable<string> Paragraphs(string text) =>
        System.Text.RegularExpressions.Regex.Split(text.Replace("\r\n", "\n"), @"\n[ \t]*\n").Select(p => p.TrimEnd()).Where(p => p.Trim().Length > 0);

    private static string N(long? n) => (n ?? 0).ToString("N0", En);

    private static string Capital(string s) => s.Length == 0 ? s : char.ToUpperInvariant(s[0]) + s[1..];

    private static string Dates(DateOnly from, DateOnly to) => from == to
        ? from.ToString("d MMMM yyyy", En)
        : from.Year == to.Year && from.Month == to.Month
            ? $"{from.Day}–{to.ToString("d MMMM yyyy", En)}"
            : $"{from.ToString("d MMMM", En)} – {to.ToString("d MMMM yyyy", En)}";
}
