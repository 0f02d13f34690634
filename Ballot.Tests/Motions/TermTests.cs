using Ballot.Core.Motions;
using Ballot.Core.Staff;
using Ballot.Tests.Infrastructure;
using Microsoft.Extensions.Options;

namespace Ballot.Tests.Motions;

public sealed class TermCalendarTests
{
    private static TermCalendar Calendar(TermOptions? o = null) => new(Options.Create(o ?? new TermOptions()));

    [TestCase(2001, 4, 15)]
    [TestCase(2008, 3, 23)]
    [TestCase(2011, 4, 24)]
    [TestCase(2019, 4, 21)]
    [TestCase(2024, 3, 31)]
    [TestCase(2025, 4, 20)]
    [TestCase(2026, 4, 5)]
    [TestCase(2038, 4, 25)]
    public void Easter_Sunday_follows_the_Gregorian_computus(int year, int month, int day) =>
        Assert.That(TermCalendar.EasterSunday(year), Is.EqualTo(new DateOnly(year, month, day)));

    [Test]
    public void By_default_spring_ends_at_Easter_summer_in_July_and_autumn_in_December()
    {
        var c = Calendar();
        Assert.That(c.EndOf("spring", 2001), Is.EqualTo(new DateOnly(2001, 4, 15)));
        Assert.That(c.EndOf("spring", 2024), Is.EqualTo(new DateOnly(2024, 3, 31)), "Easter moves the spring term's end");
        Assert.That(c.EndOf("summer", 2001), Is.EqualTo(new DateOnly(2001, 7, 31)));
        Assert.That(c.EndOf("autumn", 2001), Is.EqualTo(new DateOnly(2001, 12, 31)));
    }

    [Test]
    public void Term_dates_are_configurable_and_a_year_can_be_given_exactly()
    {
        var c = Calendar(new TermOptions
        {
            SpringEnds = "04-01", SummerEnds = "07-22", AutumnEnds = "12-20",
            Overrides = new(StringComparer.OrdinalIgnoreCase) { ["summer-2001"] = "2001-07-20" },
        });
        Assert.That(c.EndOf("spring", 2002), Is.EqualTo(new DateOnly(2002, 4, 1)));
        Assert.That(c.EndOf("summer", 2001), Is.EqualTo(new DateOnly(2001, 7, 20)));
        Assert.That(c.EndOf("summer", 2002), Is.EqualTo(new DateOnly(2002, 7, 22)));
        Assert.That(c.EndOf("autumn", 2001), Is.EqualTo(new DateOnly(2001, 12, 20)));
    }

    [Test]
    public void A_bad_term_setting_is_named_in_the_validation_failure()
    {
        var result = new TermOptionsValidator().Validate(null, new TermOptions
        {
            SummerEnds = "31-07", Overrides = new() { ["summer-2001"] = "2002-07-20", ["midsummer-2001"] = "2001-06-21" },
        });
        Assert.That(result.Failed, Is.True);
        Assert.That(result.FailureMessage, Does.Contain("Terms:SummerEnds").And.Contain("Terms:Overrides:summer-2001").And.Contain("Terms:Overrides:midsummer-2001"));
        Assert.That(new TermOptionsValidator().Validate(null, new TermOptions()).Succeeded, Is.True);
    }

    [Test]
    public void Start_up_stops_on_a_bad_term_setting()
    {
        var e = Assert.ThrowsAsync<OptionsValidationException>(async () =>
            await ApiHost.StartAsync(s => s["Terms:AutumnEnds"] = "December"));
        Assert.That(e!.Message, Does.Contain("Terms:AutumnEnds"));
    }
}

public sealed class InstructionParserTests
{
    private static readonly TermCalendar Calendar = new(Options.Create(new TermOptions()));
    private static readonly DateOnly Easter2001Conference = new(2001, 4, 14);

    private static IReadOnlyList<ParsedInstruction> Parse(string text) => InstructionParser.Parse(text, Easter2001Conference, Calendar);

    [Test]
    public void Numbered_instructions_end_at_the_paragraph_after_the_list()
    {
        var found = Parse("Conference believes X.\n\nConference instructs the Executive to:\n\n1) Campaign in the spring term 2002;\n2) Lobby MPs\n   across the country.\n\nConference further believes Y.\n");
        Assert.That(found.Select(f => f.Text), Is.EqualTo(new[] { "Campaign in the spring term 2002;", "Lobby MPs\n   across the country." }));
        Assert.That(found[0].DueOn, Is.EqualTo(new DateOnly(2002, 3, 31)), "Easter 2002 was 31 March");
    }

    [Test]
    public void A_term_without_a_year_is_the_next_one_ending_after_the_conference_opens()
    {
        var found = Parse("Conference calls on the National Executive to:\n(a) survey members in the autumn term;\n(b) report in the spring term.");
        Assert.That(found.Select(f => (f.DueTerm, f.DueYear)), Is.EqualTo(new (string?, int?)[] { ("autumn", 2001), ("spring", 2002) }));
    }

    [Test]
    public void A_single_instruction_without_a_list_is_one_item()
    {
        var found = Parse("Conference instructs the Executive to ballot members in the Autumn 2001 on industrial action.\n\nConference notes.");
        Assert.That(found, Has.Count.EqualTo(1));
        Assert.That(found[0].Text, Is.EqualTo("ballot members in the Autumn 2001 on industrial action."));
        Assert.That(found[0].DueOn, Is.EqualTo(new DateOnly(2001, 12, 31)));
    }

    [Test]
    public void A_year_that_is_not_a_plausible_date_leaves_the_item_without_a_due_date()
    {
        var found = Parse("Conference instructs the Executive to:\n1. report in the autumn term 0000;\n2. ballot in the summer term 2001.");
        Assert.That(found.Select(f => (f.DueTerm, f.DueOn)), Is.EqualTo(new (string?, DateOnly?)[] { (null, null), ("summer", new DateOnly(2001, 7, 31)) }));
    }

    [Test]
    public void A_motion_that_instructs_nobody_has_no_instructions() =>
        Assert.That(Parse("Conference welcomes the report of the Executive."), Is.Empty);
}
