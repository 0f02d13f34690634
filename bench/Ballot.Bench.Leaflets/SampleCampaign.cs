using Ballot.Core.Leaflets;
using Ballot.Core.Leaflets.Composition;

/// <summary>A realistic two-page A4 leaflet for parents: three arguments, demands, call to action, contact, QR code.</summary>
public static class SampleCampaign
{
    public static readonly CampaignLook Look = new("Fund Our Schools", "https://example.org/fund-our-schools",
        "Published and printed by the Union, 1 Union Street, London WC1 9ZZ.", new Colour(0xc8, 0x10, 0x2e), null);

    public static readonly string[] Arguments =
    [
        "Performance pay sets colleague against colleague. Teachers do their best work together, sharing what works with children in every class. A scheme that ranks teachers against each other breaks that up.",
        "Objectives should be negotiated, not dictated. Members have been handed objectives and asked to sign within twenty four hours. Nobody should sign objectives they have not agreed, and nobody should lose pay for targets met only in part.",
        "Schools need stable funding to plan. Money spent on assessing and ranking teachers is money taken from the classroom. Governors carry the duty to set a fair budget, and they need the funding to do it.",
    ];

    public static object Json(string audience) => new
    {
        audience, language = "en",
        headline = "Fund our schools **properly**",
        introduction = "Your child's teachers are asking for your support. This leaflet explains *why* schools must be funded adequately, and what you can do.",
        sections = Arguments.Select((a, i) => new { heading = $"Argument {i + 1}", body = $"{a} {a}\n\n{a}\n\n- Ask at the school gate.\n- Talk to other parents." }),
        demands = new[] { "Fund every school adequately.", "Scrap performance related pay.", "Negotiate objectives with staff, do not dictate them." },
        callToAction = "**Write to your MP today.** Ask them to support adequate funding for every school.",
    };

    public static readonly AudienceContent Content = new(
        "Fund our schools **properly**",
        "Your child's teachers are asking for your support. This leaflet explains *why* schools must be funded adequately, and what you can do.",
        Arguments.Select((a, i) => new Section($"Argument {i + 1}", $"{a} {a}\n\n{a}\n\n- Ask at the school gate.\n- Talk to other parents.")).ToList(),
        ["Fund every school adequately.", "Scrap performance related pay.", "Negotiate objectives with staff, do not dictate them."],
        "**Write to your MP today.** Ask them to support adequate funding for every school.");
}
