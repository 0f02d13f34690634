using Ballot.Core.Leaflets.Composition;

namespace Ballot.Core.Leaflets;

public sealed record Section(string Heading, string Body);

/// <summary>What organisers write once per audience and language. Markdown subset in every text.</summary>
public sealed record AudienceContent(string Headline, string Introduction, IReadOnlyList<Section> Sections,
    IReadOnlyList<string> Demands, string CallToAction);

public sealed record LocalContact(string Name, string? Email, string? Phone);

/// <summary>The school a leaflet is for.</summary>
public sealed record LeafletTarget(long WorkplaceId, string School, LocalContact? Contact);

/// <summary>The campaign settings a leaflet needs.</summary>
public sealed record CampaignLook(string Name, string WebAddress, string Imprint, Colour Brand, byte[]? Logo);

/// <summary>Builds a leaflet as a <see cref="PrintDocument"/>: the campaign's content, personalised for one school.</summary>
public static class LeafletComposer
{
    public static PrintDocument Compose(CampaignLook campaign, string audience, string language, AudienceContent content,
        LeafletTarget target, PageSize size)
    {
        var labels = LeafletLabels.For(language);
        var doc = new PrintDocument(size, new DocumentInfo(
            Title: $"{Plain(content.Headline)} ({target.School})",
            Author: campaign.Name,
            Language: language,
            Subject: labels.For(audience, target.School),
            Keywords: $"{audience}, {campaign.Name}"))
        {
            Accent = campaign.Brand,
            FooterText = campaign.Imprint,
            PageLabel = (page, pages) => string.Format(labels.PageOf, page, pages),
            MaxPages = size == PageSize.A5 ? 16 : 8,
        };
        var big = size == PageSize.A4 ? 1f : 0.75f;
        if (campaign.Logo is not null) doc.Add(new Picture(campaign.Logo, 46 * big) { Part = "logo" });
        doc.Add(new Paragraph([new Span(labels.For(audience, target.School), Bold: true)], TextRole.Label) { Colour = campaign.Brand, Part = "school" });
        doc.Add(new Heading(1, MarkdownText.ToSpans(content.Headline)) { Part = "headline" });
        foreach (var b in MarkdownText.ToBlocks(content.Introduction, "introduction", 2))
            doc.Add(b is Paragraph p ? new Paragraph(p.Spans, TextRole.Lead) { Part = "introduction" } : b);
        for (var i = 0; i < content.Sections.Count; i++)
        {
            var part = $"sections[{i}]";
            doc.Add(new Heading(2, MarkdownText.ToSpans(content.Sections[i].Heading)) { Part = part + ".heading" });
            foreach (var b in MarkdownText.ToBlocks(content.Sections[i].Body, part + ".body", 3)) doc.Add(b);
        }
        if (content.Demands.Count > 0)
        {
            doc.Add(new Heading(2, labels.OurDemands) { Part = "demands" });
            doc.Add(new ListBlock(true, content.Demands.Select(d => (IReadOnlyList<Span>)MarkdownText.ToSpans(d)).ToList()) { Part = "demands" });
        }
        doc.Add(new Box(campaign.Brand, [.. MarkdownText.ToBlocks(content.CallToAction, "callToAction", 2),
            new Paragraph([new Span(campaign.WebAddress, Bold: true, Link: campaign.WebAddress)]) { Part = "callToAction" }]) { Part = "callToAction" });

        var contact = new List<Block> { new Heading(3, labels.LocalContact) { Part = "contact" } };
        if (target.Contact is { } c)
        {
            contact.Add(new Paragraph([new Span(c.Name, Bold: true)]) { Part = "contact" });
            var lines = new List<Span>();
            if (c.Email is not null) lines.Add(new Span(c.Email, Link: "mailto:" + c.Email));
            if (c.Phone is not null) lines.Add(new Span((lines.Count > 0 ? "\n" : "") + c.Phone));
            if (lines.Count > 0) contact.Add(new Paragraph(lines) { Part = "contact" });
        }
        else contact.Add(new Paragraph([new Span(campaign.WebAddress, Link: campaign.WebAddress)]) { Part = "contact" });
        doc.Add(new Box(campaign.Brand.Tint(0.88f), contact)
        {
            Part = "contact",
            TextColour = Colour.Black,
            Aside = new QrCode(QrAddress(campaign.WebAddress, target.WorkplaceId, audience), 72 * big) { Caption = labels.ScanToFindOut },
        });
        return doc;
    }

    /// <summary>The campaign's address tagged with the school and audience, so visits can be counted per school.</summary>
    public static string QrAddress(string webAddress, long workplaceId, string audience)
    {
        var fragment = webAddress.IndexOf('#');
        var (url, hash) = fragment < 0 ? (webAddress, "") : (webAddress[..fragment], webAddress[fragment..]);
        return $"{url}{(url.Contains('?') ? '&' : '?')}school={workplaceId}&audience={audience}{hash}";
    }

    private static string Plain(string markdown) => string.Concat(MarkdownText.ToSpans(markdown).Select(s => s.Text)).Replace('\n', ' ');
}
