using System.Net;
using Ballot.Core.Mail;
using Ballot.Tests.Infrastructure;
using Dapper;

namespace Ballot.Tests.Ballots;

/// <summary>A title is text, never a template, in the subject as in the body.</summary>
public sealed class LetterTitleTests() : BallotApiTests(3, 1)
{
    [Test]
    public async Task A_title_with_liquid_syntax_is_sent_as_written_in_every_letter_subject()
    {
        const string title = "Pay {{ member.email }} {% if %} {%endraw%} {%- endraw -%} ballot";
        var json = BallotKit.Consultative(Kit.Now, Kit.Now.AddDays(5), reminders: "[2]")
            .Replace("Indicative ballot on the pay arrangements", title.Replace("\"", "\\\""));
        var id = await Kit.Create(json);
        await Kit.Open(id);
        Api.Clock.Advance(TimeSpan.FromDays(3));
        Assert.That((await Kit.RunWorker()).Reminders, Is.EqualTo(1));

        await using var conn = await Api.OpenAsync();
        var letters = (await conn.QueryAsync<(string Subject, string Body)>(
            "SELECT subject, body_markdown FROM mailing WHERE source = 'ballot' AND source_id = @id ORDER BY id", new { id })).ToList();
        Assert.That(letters, Has.Count.EqualTo(2));
        var member = new LetterRecipient { MemberId = 1, MembershipNumber = "M000001", FirstName = "Ann", Email = "ann@example.org" };
        foreach (var (subject, body) in letters)
        {
            // What the worker does with each letter: compile, then render for a member.
            var rendered = LetterTemplate.Compile(subject, body).Render(member, new MailOptions(), null,
                new Dictionary<string, object?> { ["vote_url"] = "http://localhost:5080/vote/x" });
            Assert.That(rendered.Subject, Does.Contain("Pay {{ member.email }} {% if %}").And.EndWith("ballot").And.Not.Contain("ann@example.org"));
        }
    }
}
