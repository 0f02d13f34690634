using System.Net;
using Ballot.Core.Staff;
using Ballot.Tests.Infrastructure;
using Ballot.Tests.Leaflets;

namespace Ballot.Tests.Motions;

/// <summary>A conference's decisions as one PDF, made with the leaflet renderer, read back as text.</summary>
public sealed class DecisionsExportTests() : MotionApiTests(conference: false)
{
    [Test]
    public async Task The_decisions_pdf_has_each_motion_its_result_and_its_instructions()
    {
        var conference = await Exec.Conference("Easter annual conference 2001", "2001-04-14", "2001-04-18");
        var seed = (long)(await Exec.Import(conference, MotionsClient.Seed(), "?proposerKind=division&proposerName=Sheffield"))["id"]!;
        var amendment = await Exec.Amend(seed, new { mover = MotionsClient.Branch("Leeds"), kind = "delete", words = "the meeds of this pupils", insertWords = "the needs of their pupils" });
        await Exec.Status(seed, "debated");
        await Exec.Vote($"/api/amendments/{(long)amendment["id"]!}/vote", new { method = "card", @for = 152_000, against = 31_000, abstain = 4_200 });
        var carried = await Exec.Vote($"/api/motions/{seed}/vote", new { method = "card", @for = 160_500, against = 20_250, abstain = 3_000 });
        var second = (long)carried["actionItems"]![1]!["id"]!;
        await (await Exec.Http.PatchAsync($"/api/instructions/{second}", Http.JsonBody("""{"assignee":"Jo Bloggs","progress":"in-progress"}""")))
            .AssertStatus(HttpStatusCode.OK);
        var rule = (long)(await Exec.Motion(conference, "Conference amends Rule 12 so that the Executive is elected every year.", "Annual elections", twoThirds: true))["id"]!;
        await Exec.Status(rule, "debated");
        await Exec.Vote($"/api/motions/{rule}/vote", new { method = "card", @for = 90_000, against = 60_000, abstain = 0 });
        var withdrawn = (long)(await Exec.Motion(conference, "Conference welcomes the Green Paper.", "Green Paper"))["id"]!;
        await Exec.Status(withdrawn, "withdrawn");

        var organiser = await Api.ClientFor(Roles.Organiser);
        var response = await (await organiser.GetAsync($"/api/conferences/{conference}/decisions.pdf")).AssertStatus(HttpStatusCode.OK);
        Assert.That(response.Content.Headers.ContentType?.MediaType, Is.EqualTo("application/pdf"));
        Assert.That(response.Content.Headers.ContentDisposition?.FileName, Is.EqualTo($"conference-{conference}-decisions.pdf"));
        var pdf = await response.Content.ReadAsByteArrayAsync();
        Assert.That(System.Text.Encoding.ASCII.GetString(pdf, 0, 5), Is.EqualTo("%PDF-"));

        var text = LeafletContent.Words(pdf);
        LeafletContent.AssertInOrder(text,
        [
            "Easter annual conference 2001: decisions",
            "Harrogate, 14–18 April 2001.",
            "3 motions: 1 carried, 1 lost, 1 withdrawn.",
            "Motion 1: NUT policy on Performance Management passed at the Easter annual conference 2001",
            "Proposed by Sheffield (division).",
            "Result: Carried, on a card vote: 160,500 for, 20,250 against, 3,000 abstaining.",
            "Amendments",
            "Leeds (branch): Delete \"the meeds of this pupils\" and insert \"the needs of their pupils\". Carried, on a card vote: 152,000 for, 31,000 against, 4,200 abstaining.",
            "The motion as amended",
            "Conference opposes the Performance Management scheme introduced under the Education(School Teacher Appraisal) Regulations 2000.",
            "key evidencefor making",
            "meet the needs of their pupils.",
            "Instructions to the Executive",
            "Write to ever member in the Summer Term 2001",
            "Due by the end of the summer term 2001 (31 July 2001); not started.",
            "Conduct a national ballot by members in the autumn term 2001",
            "Due by the end of the autumn term 2001 (31 December 2001); in progress; assigned to Jo Bloggs.",
            "Produce materials for parents, governors and other trade unionists",
            "No due date; not started.",
            "Motion 2: Annual elections",
            "Result: Lost, on a card vote: 90,000 for, 60,000 against, 0 abstaining (a two-thirds majority was required).",
            "Motion 3: Green Paper",
            "Result: Withdrawn.",
        ]);
    }

    [Test]
    public async Task A_conference_without_motions_exports_a_one_page_pdf_and_an_unknown_one_is_404()
    {
        var conference = await Exec.Conference("Special conference", "2002-06-01", "2002-06-01");
        var pdf = await (await (await Exec.Http.GetAsync($"/api/conferences/{conference}/decisions.pdf")).AssertStatus(HttpStatusCode.OK)).Content.ReadAsByteArrayAsync();
        var text = LeafletContent.Words(pdf);
        Assert.That(text, Does.Contain("No motions have been recorded for this conference."));
        Assert.That(text, Does.Contain("1 June 2002"));
        await (await Exec.Http.GetAsync("/api/conferences/987654/decisions.pdf")).AssertProblem(HttpStatusCode.NotFound);
        var scrutineer = await Api.ClientFor(Roles.Scrutineer);
        await (await scrutineer.GetAsync($"/api/conferences/{conference}/decisions.pdf")).AssertProblem(HttpStatusCode.Forbidden);
    }
}
