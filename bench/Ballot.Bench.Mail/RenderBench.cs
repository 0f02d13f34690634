using Ballot.Core.Mail;
using BenchmarkDotNet.Attributes;
using BenchmarkDotNet.Jobs;
using Microsoft.Extensions.Options;

namespace Ballot.Bench.Mail;

[MemoryDiagnoser]
[SimpleJob(RuntimeMoniker.Net10_0, launchCount: 1, warmupCount: 3, iterationCount: 10)]
public class RenderBench
{
    private LetterTemplate _template = null!;
    private LetterComposer _composer = null!;
    private MailingToSend _mailing = null!;
    private MailOptions _options = null!;
    private int _n;

    public const string Subject = "Why we oppose the performance pay scheme, {{ first_name }}";

    public const string Body = """
        Dear {{ first_name }} {{ last_name }},

        Conference has instructed the Executive to write to every member explaining why the Union opposes the
        performance management scheme tied to **performance-related pay**. This letter is that explanation.

        ## What the scheme does

        - objectives are *dictated* rather than negotiated;
        - signatures are demanded within 24 hours;
        - pay progression depends on objectives being "met".

        ## What you can do at {{ workplace }}

        1. Do not sign objectives you have not agreed.
        2. Ask your representative at {{ workplace }} ({{ employer }}, {{ region }}) for advice.
        3. Read the motion in full: [the conference motion](https://union.example/motions/2001/42).

        Your membership number is {{ membership_number }}.

        In solidarity,

        {{ union.name }}
        """;

    [GlobalSetup]
    public void Setup()
    {
        _options = new MailOptions { UnionName = "National Union of Teachers", UnionAddress = "Hamilton House, Mabledon Place, London WC1H 9BD", FromAddress = "letters@union.example" };
        _template = LetterTemplate.Compile(Subject, Body);
        var keys = new MailKeys(null!);
        keys.Use(new byte[32]);
        _composer = new LetterComposer(Options.Create(_options), keys, []);
        _mailing = new MailingToSend { Id = 1, Kind = "campaign", Subject = Subject, BodyMarkdown = Body, Status = "sending" };
    }

    private LetterRecipient Next()
    {
        var i = ++_n;
        return new LetterRecipient
        {
            MemberId = i, MembershipNumber = $"M{i:D6}", FirstName = $"First{i}", LastName = $"Last{i}", Email = $"member{i}@example.org",
            Workplace = $"School {i % 9000}", Employer = $"Employer {i % 150}", Region = $"Region {i % 12}", Category = "Teacher",
        };
    }

    [Benchmark(Description = "template + Markdown to HTML and text")]
    public RenderedLetter Render() => _template.Render(Next(), _options, "http://localhost:5080/unsubscribe/1-abcdefghijklmnopqrstuv", null);

    [Benchmark(Description = "whole MIME letter (headers, both parts)")]
    public MimeKit.MimeMessage Compose() => _composer.Compose(_mailing, _template, Next(), _n, DateTimeOffset.UtcNow);
}
