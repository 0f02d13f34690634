namespace Ballot.Core.Leaflets.Composition;

/// <summary>An item, or one line of a text item, at a height on a page.</summary>
internal sealed record Placed(Item Item, Line? Line, float Y);

/// <summary>
/// Places items down pages between <c>top</c> and <c>bottom</c>: a heading keeps with the start of what follows it, a
/// paragraph moves whole to the next page rather than leave one line behind, an atom (a box) stays whole. Works on
/// heights alone, so it is tested without fonts or Skia.
/// </summary>
internal sealed class Paginator(float top, float bottom, int maxPages, PageSize size)
{
    public List<List<Placed>> Paginate(IReadOnlyList<Item> items)
    {
        var contentHeight = bottom - top;
        var pages = new List<List<Placed>> { new() };
        var y = top;
        void NewPage(Item cause)
        {
            pages.Add([]);
            y = top;
            if (pages.Count > maxPages)
                throw new LayoutException(cause.Part,
                    $"The content needs more than {maxPages} {size} pages; it overflows at {cause.Part ?? "the end"}. Shorten it or choose a larger page size.");
        }
        for (var i = 0; i < items.Count; i++)
        {
            var item = items[i];
            var next = i + 1 < items.Count ? items[i + 1] : null;
            var sb = y == top ? 0 : item.SpaceBefore;
            switch (item)
            {
                case BreakItem:
                    if (y > top) NewPage(item);
                    break;
                case AtomItem atom:
                {
                    if (atom.Height > contentHeight)
                        throw new LayoutException(atom.Part,
                            $"{atom.Part ?? "A box"} is {atom.Height:0} pt tall and does not fit on one {size} page ({contentHeight:0} pt); shorten it.");
                    var need = sb + atom.Height + (atom.KeepWithNext && next is not null ? FirstPart(next) : 0);
                    if (y + need > bottom && y > top) { NewPage(atom); sb = 0; }
                    var at = y + sb;
                    pages[^1].Add(new Placed(atom, null, at));
                    y = at + atom.Height;
                    break;
                }
                case TextItem text:
                {
                    var lines = text.Lines;
                    // A heading needs itself and the start of what follows; a paragraph at least two lines (no orphan).
                    var need = sb + (text.KeepWithNext
                        ? lines.Sum(l => l.Height) + (next is not null ? FirstPart(next) : 0)
                        : lines.Take(Math.Min(2, lines.Count)).Sum(l => l.Height));
                    if (y + need > bottom && y > top && need <= contentHeight) { NewPage(text); sb = 0; }
                    y += sb;
                    foreach (var line in lines)
                    {
                        if (y + line.Height > bottom) NewPage(text);
                        pages[^1].Add(new Placed(text, line, y));
                        y += line.Height;
                    }
                    break;
                }
            }
        }
        return pages;
    }

    private static float FirstPart(Item item) => item switch
    {
        TextItem t => t.SpaceBefore + t.Lines.Take(2).Sum(l => l.Height),
        AtomItem a => a.SpaceBefore + a.Height,
        _ => 0,
    };
}
