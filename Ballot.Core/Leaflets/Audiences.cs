namespace Ballot.Core.Leaflets;

/// <summary>Who a leaflet is written for.</summary>
public static class Audiences
{
    public const string Parents = "parents";
    public const string Governors = "governors";
    public const string TradeUnionists = "trade-unionists";

    public static readonly IReadOnlyList<string> All = [Parents, Governors, TradeUnionists];
}

/// <summary>The fixed words printed on every leaflet, per language; other languages use English.</summary>
public sealed record LeafletLabels(string ForParents, string ForGovernors, string ForTradeUnionists, string OurDemands,
    string LocalContact, string ScanToFindOut, string PageOf)
{
    private static readonly Dictionary<string, LeafletLabels> ByLanguage = new(StringComparer.OrdinalIgnoreCase)
    {
        ["en"] = new("For parents at {0}", "For governors of {0}", "For trade unionists at {0}", "Our demands",
            "Your local contact", "Scan to find out more", "Page {0} of {1}"),
        ["cy"] = new("I rieni yn {0}", "I lywodraethwyr {0}", "I undebwyr llafur yn {0}", "Ein galwadau",
            "Eich cyswllt lleol", "Sganiwch i ddysgu mwy", "Tudalen {0} o {1}"),
        ["ur"] = new("{0} کے والدین کے لیے", "{0} کے گورنرز کے لیے", "{0} کے ٹریڈ یونین ارکان کے لیے", "ہمارے مطالبات",
            "آپ کا مقامی رابطہ", "مزید جاننے کے لیے اسکین کریں", "صفحہ {0} از {1}"),
    };

    public static LeafletLabels For(string language) =>
        ByLanguage.TryGetValue(language.Split('-')[0], out var l) ? l : ByLanguage["en"];

    public string For(string audience, string school) => string.Format(audience switch
    {
        Audiences.Parents => ForParents,
        Audiences.Governors => ForGovernors,
        _ => ForTradeUnionists,
    }, school);
}
