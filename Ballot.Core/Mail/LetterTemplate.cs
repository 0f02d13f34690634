using System.Text;
using System.Text.Encodings.Web;
using Ballot.Core.Common;
using Markdig;
using Markdig.Syntax;
using Markdig.Syntax.Inlines;
using Scriban;
using Scriban.Runtime;

namespace Ballot.Core.Mail;

/// <summary>What a template may read about one recipient: their register entry and the fields a source adds.</summary>
public sealed class LetterRecipient
{
    public long MemberId { get; init; }
    public string MembershipNumber { get; init; } = "";
    public string? FirstName { get; init; }
    public string? LastName { get; init; }
    public string Email { get; init; } = "";
    public string? Workplace { get; init; }
    public string? Employer { get; init; }
    public string? Region { get; init; }
    public string? Category { get; init; }
}

public sealed record RenderedLetter(string Subject, string Html, string Text);

/// <summary>
/// A mailing's subject and Markdown body, parsed once as Liquid (Scriban's Liquid mode) and rendered per recipient.
/// The template sees only plain values in script objects (the member's fields, the union's, the source's and the
/// unsubscribe link); no .NET object is imported, includes have no loader, and loops, render time and output are bounded, so a
/// template cannot reach anything else. Why not Fluid: docs/decisions/0102-liquid-templates-with-scriban.md.
/// </summary>
public sealed class LetterTemplate
{

    internal static readonly MarkdownPipeline Markdown = new MarkdownPipelineBuilder()
        .UseAutoLinks(new Markdig.Extensions.AutoLinks.AutoLinkOptions { AllowDomainWithoutPeriod = true }).DisableHtml().Build();

    /// <summary>Names a template can use, for the docs and for spotting misspelt fields.</summary>
    public static readonly string[] MemberFields =
        ["first_name", "last_name", "full_name", "membership_number", "email", "workplace", "employer", "region", "category"];

    private readonly Template _subject;
    private readonly Template _body;

    private LetterTemplate(Template subject, Template body)
    {
        _subject = subject;
        _body = body;
    }

    /// <summary>Parses both templates; a syntax error is a 400 naming the field and the position.</summary>
    public static LetterTemplate Compile(string subject, string bodyMarkdown)
    {
        var problems = new Problems();
        var s = Template.ParseLiquid(subject);
        var b = Template.ParseLiquid(bodyMarkdown);
        if (s.HasErrors) problems.Add("subject", "The subject's merge fields do not parse: " + string.Join("; ", s.Messages));
        if (b.HasErrors) problems.Add("bodyMarkdown", "The body's merge fields do not parse: " + string.Join("; ", b.Messages));
        problems.ThrowIfAny();
        return new LetterTemplate(s, b);
    }

    public RenderedLetter Render(LetterRecipient r, MailOptions union, string? unsubscribeUrl, IReadOnlyDictionary<string, object?>? extra)
    {
        var full = string.Join(' ', new[] { r.FirstName, r.LastName }.Where(x => !string.IsNullOrWhiteSpace(x)));
        var member = new Dictionary<string, object?>
        {
            ["first_name"] = r.FirstName ?? "",
            ["last_name"] = r.LastName ?? "",
            ["full_name"] = full,
            ["membership_number"] = r.MembershipNumber,
            ["email"] = r.Email,
            ["workplace"] = r.Workplace ?? "",
            ["employer"] = r.Employer ?? "",
            ["region"] = r.Region ?? "",
            ["category"] = r.Category ?? "",
        };
        var globals = new ScriptObject();
        var memberObject = new ScriptObject();
        foreach (var (k, v) in member)
        {
            globals[k] = v;
            memberObject[k] = v;
        }
        globals["member"] = memberObject;
        globals["union"] = new ScriptObject { ["name"] = union.UnionName, ["address"] = union.UnionAddress };
        globals["union_name"] = union.UnionName;
        globals["union_address"] = union.UnionAddress;
        globals["unsubscribe_url"] = unsubscribeUrl ?? "";
        if (extra is not null)
            foreach (var (k, v) in extra) globals[k] = v is string or null or bool or int or long or double or decimal or DateTimeOffset ? v : v.ToString();

        var subject = OneLine(RenderOne(_subject, globals));
        var markdown = RenderOne(_body, globals);
        var doc = Markdig.Markdown.Parse(markdown, Markdown);
        var bodyHtml = doc.ToHtml(Markdown);
        var bodyText = PlainText.From(doc);
        return new RenderedLetter(subject, WrapHtml(subject, bodyHtml, union, unsubscribeUrl), WrapText(bodyText, union, unsubscribeUrl));
    }

    /// <summary>How long one letter's template may take to render; a letter takes well under a millisecond.</summary>
    public static readonly TimeSpan RenderBudget = TimeSpan.FromSeconds(2);

    /// <summary>The most one rendered template may write (characters); a body is at most 200,000 before merging.</summary>
    public const int OutputLimit = 1_000_000;

    private static string RenderOne(Template template, ScriptObject globals)
    {
        // Scriban caps each nest of loops (LoopLimit) but not a long run of sequential ones, nor what they write:
        // a time budget and an output cap bound both, so one template cannot pin a CPU or fill memory.
        using var budget = new CancellationTokenSource(RenderBudget);
        var ctx = new LiquidTemplateContext
        {
            LoopLimit = 10_000,
            RecursiveLimit = 20,
            LimitToString = 100_000,
            OutputLimit = OutputLimit,
            OnOutputLimit = ScriptLimitBehavior.Throw,
            CancellationToken = budget.Token,
            StrictVariables = false,
            EnableRelaxedMemberAccess = true,
            MemberRenamer = m => m.Name, // nothing of .NET is imported; names stay as written
        };
        ctx.PushGlobal(globals);
        try
        {
            return template.Render(ctx);
        }
        catch (Exception e) when (budget.IsCancellationRequested && e is Scriban.Syntax.ScriptRuntimeException or OperationCanceledException)
        {
            throw ValidationFailed.For("bodyMarkdown",
                $"The merge fields take too long to fill in (more than {RenderBudget.TotalSeconds:0} s for one letter); simplify the loops.");
        }
        catch (Scriban.Syntax.ScriptRuntimeException e)
        {
            throw ValidationFailed.For("bodyMarkdown", "The merge fields cannot be filled in: " + e.OriginalMessage);
        }
    }

    private static string OneLine(string s) => string.Join(' ', s.Split(['\r', '\n'], StringSplitOptions.RemoveEmptyEntries)).Trim();

    private static string WrapHtml(string subject, string body, MailOptions union, string? unsubscribeUrl)
    {
        var h = HtmlEncoder.Default;
        var sb = new StringBuilder(body.Length + 1024);
        sb.Append("<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\"><title>").Append(h.Encode(subject))
          .Append("</title></head>\n<body style=\"font-family: Arial, sans-serif; font-size: 16px; line-height: 1.5; color: #1a1a1a; max-width: 40em; margin: 0 auto; padding: 1em;\">\n")
          .Append(body)
          .Append("<hr style=\"border: none; border-top: 1px solid #ccc; margin-top: 2em;\">\n<p style=\"font-size: 13px; color: #555;\">")
          .Append(h.Encode(union.UnionName));
        if (!string.IsNullOrWhiteSpace(union.UnionAddress)) sb.Append("<br>").Append(h.Encode(union.UnionAddress).Replace("\n", "<br>"));
        sb.Append("</p>\n");
        if (unsubscribeUrl is not null)
            sb.Append("<p style=\"font-size: 13px; color: #555;\">You receive this letter as a member. <a href=\"")
              .Append(h.Encode(unsubscribeUrl)).Append("\">Unsubscribe from campaign mail</a>.</p>\n");
        sb.Append("</body></html>\n");
        return sb.ToString();
    }

    private static string WrapText(string body, MailOptions union, string? unsubscribeUrl)
    {
        var sb = new StringBuilder(body.Length + 512);
        sb.Append(body.TrimEnd()).Append("\n\n-- \n").Append(union.UnionName).Append('\n');
        if (!string.IsNullOrWhiteSpace(union.UnionAddress)) sb.Append(union.UnionAddress.Trim()).Append('\n');
        if (unsubscribeUrl is not null) sb.Append("\nUnsubscribe from campaign mail: ").Append(unsubscribeUrl).Append('\n');
        return sb.ToString();
    }

    /// <summary>
    /// Markdown to readable plain text from the same syntax tree as the HTML. Unlike Markdig's ToPlainText it keeps
    /// link targets ("Vote here <https://…>"), which a voting letter cannot do without.
    /// </summary>
    private static class PlainText
    {
        public static string From(MarkdownDocument doc)
        {
            var sb = new StringBuilder();
            Blocks(doc, sb, "");
            return sb.ToString();
        }

        private static void Blocks(ContainerBlock container, StringBuilder sb, string indent)
        {
            foreach (var block in container)
            {
                switch (block)
                {
                    case HeadingBlock h:
                        var title = Inlines(h.Inline);
                        sb.Append(indent).Append(title).Append('\n').Append(indent).Append(new string(h.Level == 1 ? '=' : '-', Math.Max(3, title.Length))).Append("\n\n");
                        break;
                    case ParagraphBlock p:
                        sb.Append(Indent(Inlines(p.Inline), indent)).Append("\n\n");
                        break;
                    case ListBlock list:
                        var n = int.TryParse(list.OrderedStart, out var start) ? start : 1;
                        foreach (var item in list.OfType<ListItemBlock>())
                        {
                            var bullet = list.IsOrdered ? $"{n++}. " : "- ";
                            var inner = new StringBuilder();
                            Blocks(item, inner, "");
                            var lines = inner.ToString().TrimEnd().Split('\n');
                            sb.Append(indent).Append(bullet).Append(lines[0]).Append('\n');
                            foreach (var l in lines.Skip(1)) sb.Append(indent).Append(new string(' ', bullet.Length)).Append(l).Append('\n');
                        }
                        sb.Append('\n');
                        break;
                    case QuoteBlock q:
                        Blocks(q, sb, indent + "> ");
                        break;
                    case ThematicBreakBlock:
                        sb.Append(indent).Append("----------\n\n");
                        break;
                    case LeafBlock leaf when leaf.Lines.Count > 0:
                        foreach (var line in leaf.Lines.Lines.Take(leaf.Lines.Count)) sb.Append(indent).Append("    ").Append(line.ToString()).Append('\n');
                        sb.Append('\n');
                        break;
                    case ContainerBlock c:
                        Blocks(c, sb, indent);
                        break;
                }
            }
        }

        private static string Indent(string text, string indent) =>
            indent.Length == 0 ? text : string.Join('\n', text.Split('\n').Select(l => indent + l));

        private static string Inlines(ContainerInline? container)
        {
            var sb = new StringBuilder();
            if (container is not null) Inline(container, sb);
            return sb.ToString();
        }

        private static void Inline(ContainerInline container, StringBuilder sb)
        {
            foreach (var inline in container)
            {
                switch (inline)
                {
                    case LiteralInline lit: sb.Append(lit.Content.ToString()); break;
                    case CodeInline code: sb.Append(code.Content); break;
                    case LineBreakInline: sb.Append('\n'); break;
                    case HtmlEntityInline entity: sb.Append(entity.Transcoded.ToString()); break;
                    case AutolinkInline auto: sb.Append(auto.Url); break;
                    case LinkInline link:
                        var text = Inlines(link);
                        var url = link.GetDynamicUrl?.Invoke() ?? link.Url ?? "";
                        if (link.IsImage) sb.Append(text.Length > 0 ? text : url);
                        else if (text.Length == 0 || text == url) sb.Append(url);
                        else sb.Append(text).Append(" <").Append(url).Append('>');
                        break;
                    case ContainerInline c: Inline(c, sb); break;
                    case HtmlInline html: sb.Append(html.Tag); break;
                }
            }
        }
    }
}
