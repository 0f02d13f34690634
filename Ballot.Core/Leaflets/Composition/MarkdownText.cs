using System.Text;
using Markdig;
using Markdig.Syntax;
using Markdig.Syntax.Inlines;
using MdListBlock = Markdig.Syntax.ListBlock;

namespace Ballot.Core.Leaflets.Composition;

/// <summary>
/// The Markdown subset print documents take: paragraphs, headings, bold, italic, bullet and numbered lists, links.
/// Anything else (HTML, images, tables) is reported by <see cref="Unsupported"/> so it can be refused when saved.
/// </summary>
public static class MarkdownText
{
    private static readonly MarkdownPipeline Pipeline = new MarkdownPipelineBuilder().Build();

    /// <summary>Blocks for a Markdown body; "# x" becomes a heading of level <paramref name="topHeading"/>.</summary>
    public static List<Block> ToBlocks(string markdown, string part, int topHeading = 2)
    {
        var blocks = new List<Block>();
        foreach (var block in Markdown.Parse(markdown, Pipeline)) AddBlock(blocks, block, part, topHeading);
        return blocks;
    }

    /// <summary>One run of spans for a short text (a demand, a line): paragraphs are joined by line breaks.</summary>
    public static List<Span> ToSpans(string markdown)
    {
        var spans = new List<Span>();
        foreach (var block in Markdown.Parse(markdown, Pipeline))
        {
            if (spans.Count > 0) spans.Add(new Span("\n"));
            switch (block)
            {
                case LeafBlock { Inline: { } inline }: AddInlines(spans, inline, false, false, null); break;
                case LeafBlock leaf: spans.Add(new Span(leaf.Lines.ToString())); break;
                case ContainerBlock container:
                    foreach (var text in Flatten(container)) spans.AddRange(text);
                    break;
            }
        }
        return spans;
    }

    /// <summary>What the subset does not support in this Markdown, described for the person who wrote it.</summary>
    public static IReadOnlyList<string> Unsupported(string markdown)
    {
        var problems = new List<string>();
        foreach (var node in Markdown.Parse(markdown, Pipeline).Descendants())
        {
            switch (node)
            {
                case HtmlBlock or HtmlInline: problems.Add("HTML is not supported; use Markdown."); break;
                case LinkInline { IsImage: true }: problems.Add("Images are not supported in the text; set the campaign's logo instead."); break;
                case LinkInline l when !IsWebLink(l.Url): problems.Add($"The link '{l.Url}' must start with https://, http:// or mailto:."); break;
            }
        }
        return problems.Distinct().ToList();
    }

    private static bool IsWebLink(string? url) =>
        url is not null && (url.StartsWith("https://", StringComparison.OrdinalIgnoreCase) || url.StartsWith("http://", StringComparison.OrdinalIgnoreCase)
                            || url.StartsWith("mailto:", StringComparison.OrdinalIgnoreCase));

    private static void AddBlock(List<Block> blocks, Markdig.Syntax.Block block, string part, int topHeading)
    {
        switch (block)
        {
            case HeadingBlock h:
                blocks.Add(new Heading(Math.Min(3, topHeading + h.Level - 1), Inlines(h.Inline)) { Part = part });
                break;
            case ParagraphBlock p:
                blocks.Add(new Paragraph(Inlines(p.Inline)) { Part = part });
                break;
            case MdListBlock list:
                blocks.Add(new ListBlock(list.IsOrdered, Flatten(list)) { Part = part });
                break;
            case CodeBlock code:
                blocks.Add(new Paragraph(code.Lines.ToString()) { Part = part });
                break;
            case ContainerBlock container:
                foreach (var child in container) AddBlock(blocks, child, part, topHeading);
                break;
        }
    }

    /// <summary>List items as runs of spans; a nested list's items follow their parent's, marked with a dash.</summary>
    private static List<IReadOnlyList<Span>> Flatten(ContainerBlock list, string prefix = "")
    {
        var items = new List<IReadOnlyList<Span>>();
        foreach (var child in list)
        {
            if (child is not ListItemBlock item)
            {
                if (child is LeafBlock { Inline: { } i }) items.Add(Inlines(i));
                continue;
            }
            var spans = new List<Span>();
            if (prefix.Length > 0) spans.Add(new Span(prefix));
            foreach (var inner in item)
            {
                if (inner is MdListBlock nested) { if (spans.Count > 0) items.Add(spans); spans = []; items.AddRange(Flatten(nested, "– ")); continue; }
                if (inner is LeafBlock { Inline: { } inline })
                {
                    if (spans.Count > (prefix.Length > 0 ? 1 : 0)) spans.Add(new Span("\n"));
                    AddInlines(spans, inline, false, false, null);
                }
            }
            if (spans.Count > 0) items.Add(spans);
        }
        return items;
    }

    private static List<Span> Inlines(ContainerInline? inline)
    {
        var spans = new List<Span>();
        if (inline is not null) AddInlines(spans, inline, false, false, null);
        return spans;
    }

    private static void AddInlines(List<Span> spans, ContainerInline container, bool bold, bool italic, string? link)
    {
        foreach (var inline in container)
        {
            switch (inline)
            {
                case LiteralInline lit: spans.Add(new Span(lit.Content.ToString(), bold, italic, link)); break;
                case HtmlEntityInline e: spans.Add(new Span(e.Transcoded.ToString(), bold, italic, link)); break;
                case CodeInline code: spans.Add(new Span(code.Content, bold, italic, link)); break;
                case LineBreakInline br: spans.Add(new Span(br.IsHard ? "\n" : " ", bold, italic, link)); break;
                case AutolinkInline auto: spans.Add(new Span(auto.Url, bold, italic, auto.IsEmail ? "mailto:" + auto.Url : auto.Url)); break;
                case EmphasisInline em:
                    AddInlines(spans, em, bold || em.DelimiterCount >= 2, italic || em.DelimiterCount == 1 || em.DelimiterCount >= 3, link);
                    break;
                case LinkInline l when !l.IsImage && IsWebLink(l.Url): AddInlines(spans, l, bold, italic, l.Url); break;
                case ContainerInline c: AddInlines(spans, c, bold, italic, link); break;
            }
        }
    }

    /// <summary>The plain text of Markdown, as a reader sees it (for tests and search).</summary>
    public static string PlainText(string markdown)
    {
        var sb = new StringBuilder();
        foreach (var block in ToBlocks(markdown, ""))
        {
            IEnumerable<IReadOnlyList<Span>> runs = block switch
            {
                Heading h => [h.Spans],
                Paragraph p => [p.Spans],
                ListBlock l => l.Items,
                _ => [],
            };
            foreach (var run in runs) sb.Append(string.Concat(run.Select(s => s.Text))).Append('\n');
        }
        return sb.ToString();
    }
}
