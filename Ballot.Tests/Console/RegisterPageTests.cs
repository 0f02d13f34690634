using System.Text;
using Ballot.Core.Mail;
using Ballot.Core.Staff;
using Dapper;
using Microsoft.Playwright;
using static Microsoft.Playwright.Assertions;

namespace Ballot.Tests.Console;

/// <summary>The member register in the browser: upload, problems, search, a member's page, erasure, workplaces; who may open what.</summary>
public sealed class RegisterPageTests
{
    private ConsoleFixture _console = null!;

    [OneTimeSetUp]
    public async Task Start() => _console = await ConsoleFixture.StartAsync();

    [OneTimeTearDown]
    public async Task Stop() => await _console.DisposeAsync();

    private static FilePayload Csv(string name, string text) => new() { Name = name, MimeType = "text/csv", Buffer = Encoding.UTF8.GetBytes(text) };

    private async Task<T> Scalar<T>(string sql, object? args = null)
    {
        await using var conn = await _console.Api.OpenAsync();
        return (await conn.ExecuteScalarAsync<T>(sql, args))!;
    }

    [Test]
    public async Task The_organiser_uploads_a_file_with_errors_sees_every_problem_then_the_corrected_file_and_works_on_a_member()
    {
        var page = await _console.SignedInPage(Roles.Organiser);
        await page.GetByRole(AriaRole.Navigation, new() { Name = "Main" }).GetByRole(AriaRole.Link, new() { Name = "Members" }).ClickAsync();
        await page.GetByRole(AriaRole.Link, new() { Name = "Upload the register (CSV)" }).ClickAsync();
        await Expect(page.Locator("h1")).ToHaveTextAsync("Upload the register");
        await ConsoleFixture.AssertAccessible(page);

        const string header = "Membership No,Forename,Surname,E-mail,Workplace,Employer,Region,Category\n";
        var bad = header
            + "P0001,Ann,Archer,ann@example.org,Park School,East Council,East,SUPPORT STAFF\n"
            + "P0002,Bob,Baker,not-an-address,Park School,East Council,East,Teacher\n"
            + "P0003,Cat,Cole,cat@example.org,Park School,East Council,East,Caretaker\n";
        await page.GetByLabel("CSV file").SetInputFilesAsync(Csv("register.csv", bad));
        await page.GetByRole(AriaRole.Button, new() { Name = "Upload" }).ClickAsync();
        await Expect(page.Locator(".error-summary")).ToContainTextAsync("Nothing was imported: the file has 2 problems.");
        var rows = page.Locator("table tbody tr");
        await Expect(rows).ToHaveCountAsync(2);
        await Expect(rows.Nth(0)).ToContainTextAsync("3");
        await Expect(rows.Nth(0)).ToContainTextAsync("email");
        await Expect(rows.Nth(0)).ToContainTextAsync("The email address is not valid.");
        await Expect(rows.Nth(1)).ToContainTextAsync("category");
        await Expect(rows.Nth(1)).ToContainTextAsync("Unknown category 'Caretaker'");
        Assert.That(await page.TitleAsync(), Does.StartWith("Error: "));
        await ConsoleFixture.Screenshot(page, "members-import");
        await ConsoleFixture.AssertAccessible(page);
        Assert.That(await Scalar<long>("SELECT COUNT(*) FROM member WHERE membership_number LIKE 'P%'"), Is.Zero, "nothing imported");

        var good = bad.Replace("not-an-address", "bob@example.org").Replace("Caretaker", "support staff");
        await page.GetByLabel("CSV file").SetInputFilesAsync(Csv("register.csv", good));
        await page.GetByRole(AriaRole.Button, new() { Name = "Upload" }).ClickAsync();
        await Expect(page.Locator(".notice")).ToHaveTextAsync("The register is updated from register.csv: 3 created, 0 updated, 0 unchanged.");
        Assert.That(await Scalar<long>("SELECT COUNT(*) FROM member WHERE membership_number LIKE 'P%' AND category = 'support-staff'"), Is.EqualTo(2));

        await page.GotoAsync(_console.Url("/members"));
        await page.GetByLabel("Name, membership number or email").FillAsync("baker");
        await page.GetByRole(AriaRole.Button, new() { Name = "Search" }).ClickAsync();
        await Expect(page.Locator("table tbody tr")).ToHaveCountAsync(1);
        await ConsoleFixture.Screenshot(page, "members");
        await ConsoleFixture.AssertAccessible(page);
        await page.GetByRole(AriaRole.Link, new() { Name = "P0002" }).ClickAsync();
        await Expect(page.Locator("h1")).ToHaveTextAsync("Bob Baker");
        await ConsoleFixture.Screenshot(page, "member");
        await ConsoleFixture.AssertAccessible(page);

        await page.GetByLabel("Email address").FillAsync("not valid");
        await page.GetByRole(AriaRole.Button, new() { Name = "Save changes" }).ClickAsync();
        await Expect(page.Locator("#email-error")).ToBeVisibleAsync();
        await page.GetByLabel("Email address").FillAsync("robert@example.org");
        await page.GetByLabel("Status").SelectOptionAsync("lapsed");
        await page.GetByRole(AriaRole.Button, new() { Name = "Save changes" }).ClickAsync();
        await Expect(page.Locator(".notice")).ToHaveTextAsync("The member's details are saved.");
        Assert.That(await Scalar<string>("SELECT email || ' ' || status FROM member WHERE membership_number = 'P0002'"), Is.EqualTo("robert@example.org lapsed"));

        await page.GetByRole(AriaRole.Link, new() { Name = "Erase this member's personal data" }).ClickAsync();
        await Expect(page.Locator("h1")).ToHaveTextAsync("Erase this member's personal data?");
        await Expect(page.Locator("main")).ToContainTextAsync("What is kept");
        await ConsoleFixture.Screenshot(page, "member-erase");
        await ConsoleFixture.AssertAccessible(page);
        await page.GetByRole(AriaRole.Button, new() { Name = "Erase personal data" }).ClickAsync();
        await Expect(page.Locator(".notice")).ToHaveTextAsync("The personal data of member P0002 is erased.");
        Assert.That(await Scalar<long>("SELECT COUNT(*) FROM member WHERE membership_number = 'P0002' AND first_name IS NULL AND email IS NULL AND erased_at IS NOT NULL"), Is.EqualTo(1));

        await page.GetByRole(AriaRole.Navigation, new() { Name = "Main" }).GetByRole(AriaRole.Link, new() { Name = "Workplaces" }).ClickAsync();
        var park = page.Locator("tr", new() { HasText = "Park School" });
        await Expect(park).ToContainTextAsync("East Council");
        await ConsoleFixture.Screenshot(page, "workplaces");
        await Expect(park.Locator("td").Last).ToHaveTextAsync("2", new() { UseInnerText = true });
        await ConsoleFixture.AssertAccessible(page);
        await page.Context.CloseAsync();
    }

    [Test]
    public async Task Every_register_and_mailing_page_opens_for_executives_and_organisers_refuses_scrutineers_and_sends_strangers_to_sign_in()
    {
        await _console.Api.Send(new Ballot.Core.Members.ImportMembers.Command(new MemoryStream(Encoding.UTF8.GetBytes(
            "membership_number,first_name,last_name,email,workplace,employer,region,category\nA0001,Amy,Able,amy@example.org,Able School,Able Council,South,teacher\n")), new Ballot.Core.Staff.StaffActor("token", "0", "Test organiser", "organiser")));
        var mailing = await _console.Api.Send(new CreateMailing.Command("Hello {{ first_name }}", "Dear {{ first_name }}", null, null, "organiser:test"));
        string[] paths =
        [
            "/members", "/members/import", "/members/A0001", "/members/A0001/erase", "/workplaces",
            "/mailings", "/mailings/new", $"/mailings/{mailing.Id}", $"/mailings/{mailing.Id}/edit", $"/mailings/{mailing.Id}/preview", $"/mailings/{mailing.Id}/preview?member=A0001",
            $"/mailings/{mailing.Id}/preview/html?member=A0001", $"/mailings/{mailing.Id}/progress", $"/mailings/{mailing.Id}/failed",
        ];

        foreach (var role in Roles.All)
        {
            var page = await _console.SignedInPage(role);
            var nav = await page.Locator("nav[aria-label=Main]").InnerTextAsync();
            Assert.That(nav.Contains("Members") && nav.Contains("Mailings"), Is.EqualTo(role != Roles.Scrutineer), $"{role}: {nav}");
            foreach (var path in paths)
            {
                var response = await page.GotoAsync(_console.Url(path));
                Assert.That(response!.Status, Is.EqualTo(role == Roles.Scrutineer ? 403 : 200), $"{role} {path}");
                if (role == Roles.Scrutineer)
                    await Expect(page.Locator("h1")).ToHaveTextAsync("You do not have access to this page");
                // axe-core waits for an answer from every frame, and the letter's sandboxed frame runs no script, so
                // the preview is checked without a letter in it (the same page, form and all).
                else if (!path.Contains("/html") && !path.Contains("?member="))
                    await ConsoleFixture.AssertAccessible(page);
            }
            await page.Context.CloseAsync();
        }

        var stranger = await (await _console.NewContext()).NewPageAsync();
        foreach (var path in paths)
        {
            await stranger.GotoAsync(_console.Url(path));
            await Expect(stranger.Locator("h1")).ToHaveTextAsync("Sign in");
            Assert.That(new Uri(stranger.Url).Query, Does.Contain("returnUrl=" + Uri.EscapeDataString(path)), path);
        }
        await stranger.Context.CloseAsync();
    }

    [Test]
    public async Task An_organiser_sets_an_employers_domains_and_a_members_home_address_and_sees_a_work_email_for_what_it_is()
    {
        await _console.Api.Send(new Ballot.Core.Members.ImportMembers.Command(new MemoryStream(Encoding.UTF8.GetBytes(
            "Membership No,Forename,Surname,E-mail,Workplace,Employer,Region,Category,Address 1,Town/City,Post Code\n"
            + "H0001,Hana,Holt,hana.holt@hill.leeds.sch.uk,Hill School,Leeds Council,North,teacher,1 Elm Road,Leeds,ls1 1aa\n")),
            new StaffActor("token", "0", "Test organiser", "organiser")));
        var page = await _console.SignedInPage(Roles.Organiser);
        await page.GotoAsync(_console.Url("/workplaces?employer=Leeds%20Council"));
        await page.GetByRole(AriaRole.Link, new() { Name = "Employers: their contact emails for notices and their email domains" }).ClickAsync();
        await Expect(page.Locator("h1")).ToHaveTextAsync("Employers");
        await page.GetByRole(AriaRole.Link, new() { Name = "Leeds Council" }).ClickAsync();
        await Expect(page.Locator("h1")).ToHaveTextAsync("Leeds Council");
        await page.GetByLabel("Email domains").FillAsync("leeds.gov.uk\nnot a domain");
        await page.GetByRole(AriaRole.Button, new() { Name = "Save" }).ClickAsync();
        await Expect(page.Locator(".error-summary")).ToContainTextAsync("'not' is not a domain");
        await page.GetByLabel("Contact email for notices").FillAsync("hr@leeds.gov.uk");
        await page.GetByLabel("Email domains").FillAsync("leeds.gov.uk\n*.sch.uk");
        await page.GetByRole(AriaRole.Button, new() { Name = "Save" }).ClickAsync();
        await Expect(page.Locator(".notice")).ToHaveTextAsync("The employer's details are saved.");
        await ConsoleFixture.AssertAccessible(page);
        await ConsoleFixture.Screenshot(page, "employer");
        await page.GotoAsync(_console.Url("/employers?q=leeds"));
        await Expect(page.Locator("#employers")).ToContainTextAsync("hr@leeds.gov.uk");
        await Expect(page.Locator("#employers")).ToContainTextAsync("*.sch.uk, leeds.gov.uk");
        await ConsoleFixture.AssertAccessible(page);
        await ConsoleFixture.Screenshot(page, "employers");

        // At a school domain with its kind not known: a work address. Marked personal, it is personal.
        await page.GotoAsync(_console.Url("/members/H0001"));
        await Expect(page.Locator("#email-kind")).ToContainTextAsync("work address: gets a voting paper by post, no link");
        await Expect(page.Locator("#home-address")).ToHaveTextAsync("1 Elm Road, Leeds, LS1 1AA");
        await page.GetByLabel("Address line 2").FillAsync("Headingley");
        await page.GetByLabel("Postcode").FillAsync("ls6 2bb");
        await page.GetByLabel("The email address is").SelectOptionAsync("personal");
        await page.GetByRole(AriaRole.Button, new() { Name = "Save the address" }).ClickAsync();
        await Expect(page.Locator(".notice")).ToHaveTextAsync("The member's home address is saved.");
        await Expect(page.Locator("#home-address")).ToHaveTextAsync("1 Elm Road, Headingley, Leeds, LS6 2BB");
        await Expect(page.Locator("#email-kind")).ToHaveTextAsync(" (personal)");
        Assert.That(await Scalar<string>("SELECT email_kind FROM member WHERE membership_number = 'H0001'"), Is.EqualTo("personal"));
        await ConsoleFixture.AssertAccessible(page);
        await ConsoleFixture.Screenshot(page, "member-address");
        await page.Context.CloseAsync();
    }
}
