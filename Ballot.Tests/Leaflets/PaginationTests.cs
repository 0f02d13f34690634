using Ballot.Core.Leaflets.Composition;

namespace Ballot.Tests.Leaflets;

/// <summary>Pagination on heights alone: no fonts, no shaping, no Skia. Pages run from y = 0 to y = 100.</summary>
public sealed class PaginationTests
{
    private static readonly Paginator Pages = new(top: 0, bottom: 100, maxPages: 3, PageSize.A5);

    private static TextItem Text(int lines, float space = 5, bool keepWithNext = false, string? part = null) => new()
    {
        Lines = Enumerable.Range(0, lines).Select(_ => new Line { Height = 10 }).ToList(),
        SpaceBefore = space, KeepWithNext = keepWithNext, Part = part,
    };

    private static AtomItem Atom(float height, string? part = null) => new() { Height = height, SpaceBefore = 5, Drawings = [], Part = part };

    private static List<(int Page, float Y)> Where(List<List<Placed>> pages, Item item) =>
        pages.SelectMany((p, i) => p.Where(x => x.Item == item).Select(x => (i + 1, x.Y))).ToList();

    [Test]
    public void A_heading_moves_to_the_next_page_with_the_start_of_what_follows()
    {
        var filler = Text(8);
        var heading = Text(1, keepWithNext: true);
        var after = Text(3);
        var pages = Pages.Paginate([filler, heading, after]);

        Assert.That(Where(pages, filler).Select(p => p.Page), Is.All.EqualTo(1));
        // At y = 80 the heading (5 + 10) and two lines of what follows (5 + 20) do not fit: both start page 2, and
        // the space before the heading is dropped at the top of the page.
        Assert.That(Where(pages, heading), Is.EqualTo(new[] { (2, 0f) }));
        Assert.That(Where(pages, after), Is.EqualTo(new[] { (2, 15f), (2, 25f), (2, 35f) }));
    }

    [Test]
    public void A_paragraph_leaves_no_single_line_behind_but_splits_after_two()
    {
        var moved = Pages.Paginate([Text(8), Atom(0), Text(5)]);
        var five = moved[^1][0].Item;
        // At y = 85 only one line would fit: the paragraph starts the next page whole.
        Assert.That(Where(moved, five).Select(p => p.Page), Is.All.EqualTo(2));

        var filler = Text(7);
        var split = Text(5);
        var pages = Pages.Paginate([filler, split]);
        // At y = 70 two lines fit (75 and 85): they stay, the other three go over.
        Assert.That(Where(pages, split), Is.EqualTo(new[] { (1, 75f), (1, 85f), (2, 0f), (2, 10f), (2, 20f) }));
    }

    [Test]
    public void A_box_stays_whole_and_one_too_tall_for_a_page_is_refused_by_name()
    {
        var box = Atom(40, "the contact box");
        var pages = Pages.Paginate([Text(7), box]);
        Assert.That(Where(pages, box), Is.EqualTo(new[] { (2, 0f) }));

        var tall = Assert.Throws<LayoutException>(() => Pages.Paginate([Text(1), Atom(120, "the contact box")]))!;
        Assert.That(tall.Part, Is.EqualTo("the contact box"));
        Assert.That(tall.Message, Does.Contain("does not fit on one A5 page"));
    }

    [Test]
    public void A_page_break_starts_a_new_page_unless_the_page_is_still_empty()
    {
        var first = Text(2);
        var second = Text(2);
        var pages = Pages.Paginate([new BreakItem(), first, new BreakItem(), second]);
        Assert.That(Where(pages, first), Is.EqualTo(new[] { (1, 0f), (1, 10f) }));
        Assert.That(Where(pages, second), Is.EqualTo(new[] { (2, 0f), (2, 10f) }));
    }

    [Test]
    public void Content_beyond_the_page_limit_fails_naming_where_it_overflows()
    {
        Assert.That(Pages.Paginate([Text(30)]), Has.Count.EqualTo(3));
        var e = Assert.Throws<LayoutException>(() => Pages.Paginate([Text(25), Text(6, part: "argument 3")]))!;
        Assert.That(e.Part, Is.EqualTo("argument 3"));
        Assert.That(e.Message, Does.Contain("more than 3 A5 pages").And.Contain("overflows at argument 3"));
    }
}
