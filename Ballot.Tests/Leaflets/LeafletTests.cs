using System.IO.Compression;
using System.Net;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using Ballot.Core.Leaflets.Composition;
using Ballot.Core.Staff;
using Ballot.Tests.Infrastructure;
using Dapper;
using UglyToad.PdfPig;
using UglyToad.PdfPig.Graphics.Operations.TextShowing;
using UglyToad.PdfPig.Tokens;

namespace Ballot.Tests.Leaflets;

public sealed class LeafletTests
{
    private ApiHost _api = null!;
    private HttpClient _org = null!;
    private long _campaign;

    [OneTimeSetUp]
    public async Task Start()
    {
        var db = await TestDatabase.CreateAsync();
        _api = await ApiHost.StartAsync(s => s["Leaflets:OutputFolder"] = Path.Combine(db.Folder!, "leaflets"), db);
        _org = await _api.ClientFor(Roles.Organiser);
        // 10 schools: "School 0".."School 9", regions "Region 0" (even) and "Region 1" (odd).
        await (await _org.PostAsync("/api/members/import", Http.Csv(MemberCsv.Generate(40)))).AssertStatus(HttpStatusCode.OK);
        var created = await (await _org.PostAsJsonAsync("/api/campaigns", new JsonObject
        {
            ["name"] = "Fund Our Schools",
            ["webAddress"] = "https://example.org/fund-our-schools",
            ["imprint"] = "Published and printed by the Union, 1 Union Street, London WC1 9ZZ.",
            ["brandColour"] = "#C8102E",
            ["logo"] = Convert.ToBase64String(Logo()),
            ["content"] = new JsonArray(LeafletContent.Parents()),
        })).AssertStatus(HttpStatusCode.Created);
        _campaign = (long)(await created.ReadJson())["id"]!;
        await (await _org.PutAsJsonAsync("/api/campaigns/contacts", new { region = "Region 0", name = "Sam Region", email = "sam@example.org" }))
            .AssertStatus(HttpStatusCode.OK);
    }

    [OneTimeTearDown]
    public async Task Stop()
    {
        _org.Dispose();
        await _api.DisposeAsync();
    }

    private static byte[] Logo()
    {
        using var bitmap = new SkiaSharp.SKBitmap(120, 40);
        using (var canvas = new SkiaSharp.SKCanvas(bitmap)) canvas.Clear(new SkiaSharp.SKColor(0xc8, 0x10, 0x2e));
        using var data = bitmap.Encode(SkiaSharp.SKEncodedImageFormat.Png, 100);
        return data.ToArray();
    }

    private async Task<long> WorkplaceId(string name)
    {
        await using var conn = await _api.OpenAsync();
        return await conn.ExecuteScalarAsync<long>("SELECT id FROM workplace WHERE name = @name", new { name });
    }

    [Test]
    public async Task Organiser_writes_a_campaign_for_parents_and_governors_and_edits_it()
    {
        var governors = LeafletContent.Parents();
        governors.Remove("audience");
        governors.Remove("language");
        governors["headline"] = "Governors: set a fair budget";
        var put = await _org.PutAsJsonAsync($"/api/campaigns/{_campaign}/content/governors/en", governors);
        var view = await (await put.AssertStatus(HttpStatusCode.OK)).ReadJson();
        Assert.That(view["content"]!.AsArray().Select(c => $"{c!["audience"]}/{c["language"]}"), Is.SupersetOf(new[] { "governors/en", "parents/en" }));

        var patched = await (await _org.PatchAsJsonAsync($"/api/campaigns/{_campaign}", new { brandColour = "#1f5fa8" })).AssertStatus(HttpStatusCode.OK);
        Assert.That((string?)(await patched.ReadJson())["brandColour"], Is.EqualTo("#1f5fa8"));
        await _org.PatchAsJsonAsync($"/api/campaigns/{_campaign}", new { brandColour = "#c8102e" });

        var list = await (await _org.GetAsync("/api/campaigns")).ReadJson();
        Assert.That(list.AsArray().Single(c => (long)c!["id"]! == _campaign)!["content"]!.AsArray().Select(n => (string?)n), Does.Contain("governors/en"));

        await using var conn = await _api.OpenAsync();
        var headline = await conn.ExecuteScalarAsync<string>(
            "SELECT headline FROM campaign_content WHERE campaign_id = @_campaign AND audience = 'governors' AND language = 'en'", new { _campaign });
        Assert.That(headline, Is.EqualTo("Governors: set a fair budget"));
        Assert.That(await conn.ExecuteScalarAsync<long>("SELECT COUNT(*) FROM campaign WHERE id = @_campaign AND logo_png IS NOT NULL", new { _campaign }), Is.EqualTo(1));
    }

    [Test]
    public async Task A_school_leaflet_reads_back_in_order_with_the_school_and_its_contact_inside_the_margins()
    {
        var response = await (await _org.GetAsync($"/api/campaigns/{_campaign}/leaflets/parents.pdf?workplace=School%202")).AssertStatus(HttpStatusCode.OK);
        Assert.That(response.Content.Headers.ContentType?.MediaType, Is.EqualTo("application/pdf"));
        var pdf = await response.Content.ReadAsByteArrayAsync();
        var words = LeafletContent.Words(pdf);
        Assert.That(words, Does.Contain("For parents at School 2"));
        Assert.That(words, Does.Contain("Sam Region"), "the region's contact");
        Assert.That(words, Does.Contain("sam@example.org"));
        Assert.That(words, Does.Contain("Published and printed by the Union"));
        LeafletContent.AssertInOrder(words, LeafletContent.ExpectedSentences());

        using var doc = PdfDocument.Open(pdf);
        Assert.That(doc.NumberOfPages, Is.EqualTo(2));
        Assert.That(doc.Information.Title, Does.Contain("Fund our schools properly").And.Contain("School 2"));
        Assert.That(doc.Information.Author, Is.EqualTo("Fund Our Schools"));
        Assert.That(doc.Structure.Catalog.CatalogDictionary.TryGet(NameToken.Create("Lang"), out var lang) ? lang.ToString() : null, Does.Contain("en"));
        foreach (var page in doc.GetPages())
        {
            Assert.That(page.Width, Is.EqualTo(595.28).Within(0.5));
            Assert.That(page.Text, Does.Contain($"Page {page.Number} of 2"));
            foreach (var letter in page.Letters.Where(l => !string.IsNullOrWhiteSpace(l.Value)))
            {
                var r = letter.BoundingBox;
                Assert.That(r.Left >= 49.5 && r.Right <= page.Width - 49.5 && r.Bottom >= 49.5 && r.Top <= page.Height - 49.5,
                    $"'{letter.Value}' on page {page.Number} at {r} lies outside the margins");
            }
        }
        var fonts = LeafletContent.PdfFonts(pdf);
        var fontLines = fonts.Split('\n').Skip(2).Where(l => l.Trim().Length > 0).ToList();
        Assert.That(fontLines, Is.Not.Empty);
        Assert.That(fontLines, Has.All.Match(@"\s+yes\s+yes\s+yes\s+\d+\s+\d+\s*$"), "every font embedded, subset, with a Unicode map:\n" + fonts);
        Assert.That(pdf.Length, Is.LessThan(200 * 1024));
    }

    [Test]
    public async Task A_workplace_contact_wins_over_its_region_and_the_QR_code_is_drawn()
    {
        var id = await WorkplaceId("School 4");
        await (await _org.PutAsJsonAsync("/api/campaigns/contacts", new { workplaceId = id, name = "Pat School Rep", phone = "01234 567890" }))
            .AssertStatus(HttpStatusCode.OK);
        var pdf = await _org.GetByteArrayAsync($"/api/campaigns/{_campaign}/leaflets/parents.pdf?workplace={id}");
        var words = LeafletContent.Words(pdf);
        Assert.That(words, Does.Contain("Pat School Rep").And.Contain("01234 567890").And.Not.Contain("Sam Region"));
        var contacts = await (await _org.GetAsync("/api/campaigns/contacts")).ReadJson();
        Assert.That(contacts.AsArray().Select(c => (string?)c!["name"]), Is.SupersetOf(new[] { "Sam Region", "Pat School Rep" }));
        Assert.That(Ballot.Core.Leaflets.LeafletComposer.QrAddress("https://example.org/fund", id, "parents"),
            Is.EqualTo($"https://example.org/fund?school={id}&audience=parents"));
        AssertQrCode(pdf, $"https://example.org/fund-our-schools?school={id}&audience=parents");
    }

    /// <summary>
    /// Reads the QR code's dark modules back from the PDF's filled paths and compares them with the code QRCoder makes
    /// for the expected address (QRCoder's matrix includes a quiet zone of 4 modules).
    /// </summary>
    private static void AssertQrCode(byte[] pdf, string url)
    {
        using var doc = PdfDocument.Open(pdf);
        var rects = doc.GetPages()
            .Select(p => (Page: p, Rects: p.Paths.Where(path => path.IsFilled && path.FillColor?.ToRGBValues() == (0, 0, 0))
                .SelectMany(path => path).Select(sub => sub.GetBoundingRectangle()).OfType<UglyToad.PdfPig.Core.PdfRectangle>().ToList()))
            .Single(p => p.Rects.Count > 20).Rects;
        using var generator = new QRCoder.QRCodeGenerator();
        using var data = generator.CreateQrCode(url, QRCoder.QRCodeGenerator.ECCLevel.M);
        var matrix = data.ModuleMatrix;
        var module = rects.GroupBy(r => Math.Round(r.Height, 2)).OrderByDescending(g => g.Count()).First().Key;
        var left = rects.Min(r => r.Left) - 4 * module;
        var top = rects.Max(r => r.Top) + 4 * module;
        var drawn = new bool[matrix.Count, matrix.Count];
        foreach (var r in rects)
        {
            var row = (int)Math.Round((top - r.Top) / module);
            for (var col = (int)Math.Round((r.Left - left) / module); col < (int)Math.Round((r.Right - left) / module); col++) drawn[row, col] = true;
        }
        for (var row = 0; row < matrix.Count; row++)
        for (var col = 0; col < matrix.Count; col++)
            Assert.That(drawn[row, col], Is.EqualTo(matrix[row][col]), $"QR module ({row}, {col})");
    }

    [Test]
    public async Task An_A5_leaflet_flows_over_more_pages_than_A4()
    {
        var content = LeafletContent.Parents();
        content.Remove("audience");
        content.Remove("language");
        var sections = content["sections"]!.AsArray();
        foreach (var extra in sections.Select(s => s!.DeepClone()).ToList()) sections.Add(extra);
        await (await _org.PutAsJsonAsync($"/api/campaigns/{_campaign}/content/governors/en", content)).AssertStatus(HttpStatusCode.OK);

        var a4 = await _org.GetByteArrayAsync($"/api/campaigns/{_campaign}/leaflets/governors.pdf?workplace=School%201");
        var a5 = await _org.GetByteArrayAsync($"/api/campaigns/{_campaign}/leaflets/governors.pdf?workplace=School%201&pageSize=a5");
        using var a4Doc = PdfDocument.Open(a4);
        using var a5Doc = PdfDocument.Open(a5);
        Assert.That(a4Doc.NumberOfPages, Is.EqualTo(2));
        Assert.That(a5Doc.NumberOfPages, Is.GreaterThan(a4Doc.NumberOfPages));
        Assert.That(a5Doc.GetPage(1).Width, Is.EqualTo(419.53).Within(0.5));
        Assert.That(a5Doc.GetPage(a5Doc.NumberOfPages).Text, Does.Contain($"Page {a5Doc.NumberOfPages} of {a5Doc.NumberOfPages}"));
        var words = LeafletContent.Words(a5);
        Assert.That(words, Does.Contain("For governors of School 1"));
        LeafletContent.AssertInOrder(words, LeafletContent.Sections.SelectMany(s => System.Text.RegularExpressions.Regex.Split(s, @"(?<=\.) ")));
    }

    [Test]
    public async Task Welsh_and_Urdu_leaflets_are_shaped_and_no_glyph_is_a_missing_glyph_box()
    {
        var welsh = new JsonObject
        {
            ["headline"] = "Ariannwch ein hysgolion yn deg",
            ["introduction"] = "Mae athrawon eich plentyn yn gofyn am eich cefnogaeth. Mae'r daflen hon yn esbonio pam.",
            ["sections"] = new JsonArray(new JsonObject { ["heading"] = "Cyflog teg", ["body"] = "Mae cyflog yn ôl perfformiad yn gosod cydweithwyr yn erbyn ei gilydd. Ŵyr a ŷd." }),
            ["demands"] = new JsonArray("Ariannu pob ysgol yn ddigonol."),
            ["callToAction"] = "Ysgrifennwch at eich AS heddiw.",
        };
        var urdu = new JsonObject
        {
            ["headline"] = "ہمارے اسکولوں کو مناسب فنڈز دیں",
            ["introduction"] = "آپ کے بچے کے اساتذہ آپ کی حمایت چاہتے ہیں۔",
            ["sections"] = new JsonArray(new JsonObject { ["heading"] = "منصفانہ تنخواہ", ["body"] = "کارکردگی سے منسلک تنخواہ ساتھیوں کو ایک دوسرے کے خلاف کر دیتی ہے۔" }),
            ["demands"] = new JsonArray("ہر اسکول کو مناسب فنڈز دیے جائیں۔"),
            ["callToAction"] = "آج ہی اپنے رکن پارلیمنٹ کو لکھیں۔",
        };
        await (await _org.PutAsJsonAsync($"/api/campaigns/{_campaign}/content/parents/cy", welsh)).AssertStatus(HttpStatusCode.OK);
        await (await _org.PutAsJsonAsync($"/api/campaigns/{_campaign}/content/parents/ur", urdu)).AssertStatus(HttpStatusCode.OK);

        foreach (var (language, content, label) in new[] { ("cy", welsh, "I rieni yn School 3"), ("ur", urdu, "کے والدین کے لیے") })
        {
            var pdf = await (await _org.GetAsync($"/api/campaigns/{_campaign}/leaflets/parents.pdf?workplace=School%203&language={language}"))
                .AssertStatus(HttpStatusCode.OK).Result.Content.ReadAsByteArrayAsync();
            var text = System.Text.RegularExpressions.Regex.Replace(LeafletContent.PdfToText(pdf), @"\s+", " ");
            foreach (var field in new[] { "headline", "introduction", "callToAction" })
                Assert.That(text, Does.Contain((string)content[field]!), $"{language} {field}");
            Assert.That(text, Does.Contain((string)content["sections"]![0]!["body"]!));
            Assert.That(text, Does.Contain(label));
            Assert.That(NotdefGlyphs(pdf), Is.Zero, $"{language}: glyph 0 (.notdef, the missing-glyph box) is drawn");
            using var doc = PdfDocument.Open(pdf);
            Assert.That(doc.Structure.Catalog.CatalogDictionary.TryGet(NameToken.Create("Lang"), out var lang) ? lang.ToString() : null, Does.Contain(language));
            if (language == "ur") Assert.That(LeafletContent.PdfFonts(pdf), Does.Contain("NotoNaskhArabic"));
        }
    }

    /// <summary>Counts glyph id 0 in every text-showing operator (fonts are Identity-H: two bytes per glyph id).</summary>
    private static int NotdefGlyphs(byte[] pdf)
    {
        using var doc = PdfDocument.Open(pdf);
        var count = 0;
        var shown = 0;
        foreach (var page in doc.GetPages())
        foreach (var op in page.Operations)
        {
            var strings = op switch
            {
                ShowText t => new[] { t.Bytes.ToArray() },
                ShowTextsWithPositioning tj => tj.Array.OfType<HexToken>().Select(h => h.Bytes.ToArray())
                    .Concat(tj.Array.OfType<StringToken>().Select(s => s.GetBytes())).ToArray(),
                _ => Array.Empty<byte[]>(),
            };
            foreach (var bytes in strings)
                for (var i = 0; i + 1 < bytes.Length; i += 2)
                {
                    shown++;
                    if (bytes[i] == 0 && bytes[i + 1] == 0) count++;
                }
        }
        Assert.That(shown, Is.GreaterThan(50), "glyphs were read from the content streams");
        return count;
    }

    [Test]
    public void A_character_no_font_has_fails_with_the_part_named_instead_of_a_box()
    {
        var doc = new PrintDocument(PageSize.A4, new DocumentInfo("t", "a"));
        doc.Add(new Paragraph("Private use \uE000 character") { Part = "sections[0].body" });
        var e = Assert.Throws<LayoutException>(() => doc.Render());
        Assert.That(e!.Part, Is.EqualTo("sections[0].body"));
        Assert.That(e.Message, Does.Contain("U+E000"));
    }

    [Test]
    public async Task Bad_requests_get_problems_that_say_what_is_wrong()
    {
        (await (await _org.GetAsync($"/api/campaigns/{_campaign}/leaflets/pupils.pdf?workplace=School%201")).AssertProblem(HttpStatusCode.NotFound))
            .Let(p => Assert.That((string?)p["detail"], Does.Contain("pupils").And.Contain("parents, governors, trade-unionists")));
        (await (await _org.GetAsync($"/api/campaigns/{_campaign}/leaflets/parents.pdf?workplace=Nowhere%20Academy")).AssertProblem(HttpStatusCode.NotFound))
            .Let(p => Assert.That((string?)p["detail"], Does.Contain("Nowhere Academy")));
        await (await _org.GetAsync($"/api/campaigns/{_campaign}/leaflets/parents.pdf")).AssertProblem(HttpStatusCode.BadRequest);
        await (await _org.GetAsync($"/api/campaigns/{_campaign}/leaflets/governors.pdf?workplace=School%201&language=fr")).AssertProblem(HttpStatusCode.NotFound);

        var badLogo = await _org.PatchAsJsonAsync($"/api/campaigns/{_campaign}", new { logo = Convert.ToBase64String("not a png at all"u8.ToArray()) });
        var problem = await badLogo.AssertProblem(HttpStatusCode.BadRequest);
        Assert.That(problem["errors"]!["logo"]![0]!.ToString(), Does.Contain("not a readable PNG"));

        var html = LeafletContent.Parents();
        html["name"] = "x";
        var bad = await _org.PostAsJsonAsync("/api/campaigns", new JsonObject
        {
            ["name"] = "Other", ["webAddress"] = "not a url", ["imprint"] = "Imprint", ["brandColour"] = "red",
            ["content"] = new JsonArray(new JsonObject { ["audience"] = "pupils", ["headline"] = "<b>x</b>", ["introduction"] = "i", ["callToAction"] = "c" }),
        });
        var errors = (await bad.AssertProblem(HttpStatusCode.BadRequest))["errors"]!.AsObject();
        Assert.That(errors.Select(e => e.Key), Is.SupersetOf(new[] { "webAddress", "brandColour", "content[0].audience", "content[0].headline" }));
    }

    [Test]
    public async Task A_call_to_action_too_long_for_one_page_fails_naming_that_part()
    {
        var content = LeafletContent.Parents();
        content.Remove("audience");
        content.Remove("language");
        content["callToAction"] = string.Join("\n\n", Enumerable.Repeat("Write to your MP today and ask for adequate funding for every school in the country.", 55));
        await (await _org.PutAsJsonAsync($"/api/campaigns/{_campaign}/content/trade-unionists/en", content)).AssertStatus(HttpStatusCode.OK);
        var problem = await (await _org.GetAsync($"/api/campaigns/{_campaign}/leaflets/trade-unionists.pdf?workplace=School%201"))
            .AssertProblem(HttpStatusCode.BadRequest);
        Assert.That(problem["errors"]!["callToAction"]![0]!.ToString(), Does.Contain("does not fit on one A4 page"));
    }

    [Test]
    public async Task The_worker_renders_a_regions_leaflets_into_one_zip_with_progress()
    {
        using var worker = Ballot.Worker.BallotWorker.Build([], b => b.Configuration.AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["Database:ConnectionString"] = _api.Database.ConnectionString,
            ["Leaflets:OutputFolder"] = _api.App.Configuration["Leaflets:OutputFolder"],
            ["Worker:PollSeconds"] = "1",
            ["Ballots:CredentialKey"] = TestDatabase.CredentialKey,
        }));
        await worker.StartAsync();
        try
        {
            var started = await (await _org.PostAsJsonAsync($"/api/campaigns/{_campaign}/leaflets/bulk", new { audience = "parents", region = "Region 0" }))
                .AssertStatus(HttpStatusCode.Accepted);
            var job = await started.ReadJson();
            Assert.That((string?)job["status"], Is.EqualTo("pending"));
            var location = started.Headers.Location!.ToString();

            JsonNode status = job;
            var deadline = DateTime.UtcNow.AddSeconds(60);
            while ((string?)status["status"] is "pending" or "running" && DateTime.UtcNow < deadline)
            {
                await Task.Delay(250);
                status = await (await _org.GetAsync(location)).ReadJson();
            }
            Assert.That((string?)status["status"], Is.EqualTo("done"), status.ToJsonString());
            Assert.That((int?)status["total"], Is.EqualTo(5));
            Assert.That((int?)status["done"], Is.EqualTo(5));
            Assert.That((int?)status["percent"], Is.EqualTo(100));

            var zipBytes = await (await _org.GetAsync((string)status["download"]!)).AssertStatus(HttpStatusCode.OK).Result.Content.ReadAsByteArrayAsync();
            using var zip = new ZipArchive(new MemoryStream(zipBytes));
            Assert.That(zip.Entries.Select(e => e.Name).ToList(), Has.Count.EqualTo(5).And.All.EndsWith("-parents-en.pdf"));
            var schools = new[] { "School 0", "School 2", "School 4", "School 6", "School 8" };
            foreach (var entry in zip.Entries)
            {
                using var s = entry.Open();
                using var ms = new MemoryStream();
                s.CopyTo(ms);
                var words = LeafletContent.Words(ms.ToArray());
                var school = schools.Single(n => entry.Name.Contains(n.Replace(' ', '-').ToLowerInvariant(), StringComparison.Ordinal));
                Assert.That(words, Does.Contain($"For parents at {school}"));
            }

            await using var conn = await _api.OpenAsync();
            Assert.That(await conn.ExecuteScalarAsync<string>("SELECT status FROM leaflet_job WHERE id = @id", new { id = (long)job["id"]! }), Is.EqualTo("done"));
        }
        finally
        {
            await worker.StopAsync();
        }
    }

    [Test]
    public async Task A_bulk_job_for_a_region_with_no_schools_or_an_unfinished_zip_is_refused()
    {
        await (await _org.PostAsJsonAsync($"/api/campaigns/{_campaign}/leaflets/bulk", new { audience = "parents", region = "Atlantis" }))
            .AssertProblem(HttpStatusCode.BadRequest);
        var job = await (await _org.PostAsJsonAsync($"/api/campaigns/{_campaign}/leaflets/bulk", new { audience = "parents", employer = "Employer 1" })).ReadJson();
        await using (var conn = await _api.OpenAsync())
            await conn.ExecuteAsync("UPDATE leaflet_job SET status = 'failed', error = 'test' WHERE id = @id", new { id = (long)job["id"]! });
        await (await _org.GetAsync($"/api/campaigns/{_campaign}/leaflets/bulk/{job["id"]}/zip")).AssertProblem(HttpStatusCode.Conflict);
    }
}

internal static class Let_
{
    public static void Let<T>(this T value, Action<T> action) => action(value);
}
